package io.audiences.server.webhooks;

import java.util.UUID;

/**
 * Something that happened to an audience, as its subscribers learn it. Optional facts are null when the event
 * type has none (counts only for a completed build, the error only for a failed one).
 */
public record AudienceEvent(EventType type, UUID organizationId, UUID projectId, long audienceId, String status,
                            Long buildId, Long recordCount, Long profileCount, String error, String pauseReason) {

    public static AudienceEvent buildCompleted(UUID organizationId, UUID projectId, long audienceId, long buildId,
                                               long records, long profiles) {
        return new AudienceEvent(EventType.BUILD_COMPLETED, organizationId, projectId, audienceId, "Completed", buildId,
                records, profiles, null, null);
    }

    public static AudienceEvent buildFailed(UUID organizationId, UUID projectId, long audienceId, long buildId, String error) {
        return new AudienceEvent(EventType.BUILD_FAILED, organizationId, projectId, audienceId, "Failed", buildId,
                null, null, error, null);
    }

    /** A lifecycle change (paused, resumed, deleted); {@code status} is the audience's after it. */
    public static AudienceEvent lifecycle(EventType type, UUID organizationId, UUID projectId, long audienceId,
                                          String status, String pauseReason) {
        return new AudienceEvent(type, organizationId, projectId, audienceId, status, null, null, null, null, pauseReason);
    }
}
