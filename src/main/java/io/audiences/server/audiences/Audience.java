package io.audiences.server.audiences;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.UUID;

import io.audiences.server.builds.BuildStatus;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.results.Snapshot;

/**
 * A stored audience, in four parts: what it selects ({@link Definition}), where its newest build is
 * ({@link Progress}), what its last completed build counted ({@link Counts}) and when it is rebuilt or whether it is
 * paused ({@link Renewal}). Changes replace one part ({@code with...}); {@link #draft} makes a new one.
 */
public record Audience(long id, UUID organizationId, UUID projectId, Definition definition, Progress progress,
                       Counts counts, Renewal renewal, long version, Instant createdAt, Instant updatedAt) {

    /** An enum stored and shown as its name in lower case. */
    public interface LowerCase {
        String name();

        default String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static <E extends Enum<E>> E of(Class<E> type, String value) {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        }
    }

    /** What kind of audience: intent signals required ({@code intents}) or a persona of records ({@code elixir}). */
    public enum Type implements LowerCase {
        INTENTS, ELIXIR;

        public static Type of(String value) {
            return LowerCase.of(Type.class, value);
        }
    }

    /** Whether builds keep their members ({@code unload}: sample and download) or only count them ({@code preview}). */
    public enum Mode implements LowerCase {
        UNLOAD, PREVIEW;

        public static Mode of(String value) {
            return LowerCase.of(Mode.class, value);
        }
    }

    /** Why an audience is paused: by a caller, or because its organization or project was deactivated. */
    public enum PauseReason implements LowerCase {
        MANUAL, ORG_INACTIVE, PROJECT_INACTIVE;

        public static PauseReason of(String value) {
            return LowerCase.of(PauseReason.class, value);
        }
    }

    /** Delivr's label for what the audience segments, stored and shown as written ({@code Audience}, ...). */
    public enum SegmentationType {
        PERSONA("Persona"), ACCOUNT("Account"), AUDIENCE("Audience");

        private final String label;

        SegmentationType(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static SegmentationType of(String label) {
            for (SegmentationType t : values()) {
                if (t.label.equals(label)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown segmentation type " + label);
        }
    }

    /** What the audience selects and how it is kept; set at creation, changed by edits. */
    public record Definition(String name, String description, Type type, SegmentationType segmentationType,
                             String filterJson, int windowDays, Schedule schedule, Mode mode) { }

    /** Its newest build: the status is that build's, {@code error} a failed one's reason. */
    public record Progress(BuildStatus status, String error, String taskId, Long latestBuildId) { }

    /** What the last completed build counted; {@code currentBuildId} null (and counts zero) before the first. */
    public record Counts(Long currentBuildId, long recordCount, long distinctProfileCount, String bucketCounts,
                         LocalDate dataThrough, Instant lastBuiltAt) { }

    /**
     * When it is next rebuilt and whether it is paused: a pause puts {@code renewTime} aside in
     * {@code previousRenewTime} until it resumes.
     */
    public record Renewal(Instant renewTime, Instant previousRenewTime, Instant pausedAt, PauseReason pauseReason) { }

    /** A new audience, not yet stored: {@code Pending}, nothing built, first rebuilt at {@code renewTime}. */
    public static Audience draft(UUID organizationId, UUID projectId, Definition definition, Instant renewTime,
                                 Instant now) {
        return new Audience(0, organizationId, projectId, definition,
                new Progress(BuildStatus.PENDING, null, null, null), new Counts(null, 0, 0, "{}", null, null),
                new Renewal(renewTime, null, null, null), 1, now, now);
    }

    public Audience withDefinition(Definition changed) {
        return new Audience(id, organizationId, projectId, changed, progress, counts, renewal, version, createdAt, updatedAt);
    }

    public Audience withProgress(Progress changed) {
        return new Audience(id, organizationId, projectId, definition, changed, counts, renewal, version, createdAt, updatedAt);
    }

    public Audience withRenewal(Renewal changed) {
        return new Audience(id, organizationId, projectId, definition, progress, counts, changed, version, createdAt, updatedAt);
    }

    /** What results reads of this audience: its last completed snapshot, if it has one. */
    public Snapshot snapshot() {
        return new Snapshot(id, definition.mode() == Mode.PREVIEW, counts.currentBuildId());
    }

    public boolean paused() {
        return renewal.pausedAt() != null;
    }

    /** Weak validator for conditional reads and changes ({@link Preconditions}): changes with every write. */
    public String etag() {
        return Preconditions.etag(id, version);
    }
}
