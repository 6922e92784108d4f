package io.audiences.server.builds;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.server.platform.LogFields;

/**
 * One log line per build transition (queued, claimed, completed, failed, superseded), with the JSON format's fields:
 * {@code build_transition}, {@code audience_id}, {@code build_id}, {@code organization_id}, and once it ran
 * {@code duration_ms}, and when it completed {@code member_count} (records) and {@code profile_count}.
 */
public final class BuildLog {

    private static final Logger LOG = Logger.getLogger("io.audiences.builds");

    private BuildLog() {
    }

    /** A build was queued (logged inside the transaction that queues it: a rolled-back queueing still shows). */
    public static void queued(long audienceId, long buildId, UUID organizationId) {
        log("queued", audienceId, buildId, organizationId, null, null, null, "");
    }

    static void claimed(BuildStore.Claim claim, UUID organizationId) {
        log("claimed", claim.audienceId(), claim.buildId(), organizationId, null, null, null,
                " (attempt " + claim.attempt() + ")");
    }

    static void completed(BuildStore.Claim claim, UUID organizationId, long millis, BuildStore.Counts counts) {
        log("completed", claim.audienceId(), claim.buildId(), organizationId, millis, counts.records(), counts.profiles(),
                " in " + millis + " ms: " + counts.records() + " members, " + counts.profiles() + " profiles");
    }

    static void failed(BuildStore.Claim claim, UUID organizationId, long millis, String reason) {
        log("failed", claim.audienceId(), claim.buildId(), organizationId, millis, null, null,
                " after " + millis + " ms: " + reason);
    }

    static void superseded(BuildStore.Claim claim, UUID organizationId, long millis) {
        log("superseded", claim.audienceId(), claim.buildId(), organizationId, millis, null, null, " after " + millis + " ms");
    }

    private static void log(String transition, long audienceId, long buildId, UUID organizationId, Long millis,
                            Long members, Long profiles, String detail) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("build_transition", transition);
        fields.put("audience_id", audienceId);
        fields.put("build_id", buildId);
        fields.put("organization_id", organizationId == null ? null : organizationId.toString());
        fields.put("duration_ms", millis);
        fields.put("member_count", members);
        fields.put("profile_count", profiles);
        LogFields.log(LOG, Level.INFO, "build " + buildId + " of audience " + audienceId + " " + transition + detail, fields);
    }
}
