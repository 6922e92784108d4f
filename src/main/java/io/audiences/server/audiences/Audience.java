package io.audiences.server.audiences;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/** A stored audience. Counts describe the last completed build. */
public record Audience(long id, UUID organizationId, UUID projectId, String name, String description, String type,
                       String segmentationType, String filterJson, int windowDays, String schedule, String mode,
                       String status, String error, String taskId, Long currentBuildId, Long latestBuildId,
                       long recordCount, long distinctProfileCount, String bucketCounts, LocalDate dataThrough,
                       Instant lastBuiltAt, Instant renewTime, Instant previousRenewTime, Instant pausedAt,
                       String pauseReason, long version, Instant createdAt, Instant updatedAt) {

    public static final String PENDING = "Pending";
    public static final String PROCESSING = "Processing";
    public static final String SYNCING = "Syncing";
    public static final String COMPLETED = "Completed";
    public static final String FAILED = "Failed";

    public boolean paused() {
        return pausedAt != null;
    }

    /** Weak validator for conditional reads: changes with every write. */
    public String etag() {
        return "W/\"" + id + "-" + version + "\"";
    }
}
