package io.audiences.server.builds;

import java.util.List;
import java.util.Locale;

/**
 * Where a build is, and so where its audience is: an audience's status is its latest build's, from {@code Pending} to
 * {@code Completed} or {@code Failed}. {@code Superseded} is a build's only (a newer build, or the audience's deletion,
 * ended it). The stored and wire form is {@link #label()}.
 */
public enum BuildStatus {
    PENDING, PROCESSING, SYNCING, COMPLETED, FAILED, SUPERSEDED;

    private static final List<BuildStatus> ALL = List.of(values());

    private final String label = name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);

    /** As stored and as the API shows it: {@code Pending}, {@code Processing}, ... */
    public String label() {
        return label;
    }

    /** The status of a stored label (on every read of an audience or a build: a plain loop, no stream). */
    public static BuildStatus of(String label) {
        for (BuildStatus s : ALL) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown build status " + label);
    }

    /** A build of this status is still to run or running: its audience waits for it. */
    public boolean active() {
        return this == PENDING || this == PROCESSING || this == SYNCING;
    }
}
