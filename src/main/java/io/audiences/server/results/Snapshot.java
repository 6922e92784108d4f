package io.audiences.server.results;

/**
 * The audience a read of results is of, as far as results needs it: a preview audience has counts only, and
 * {@code buildId} is the last completed build (null until the first completes).
 */
public record Snapshot(long audienceId, boolean previewOnly, Long buildId) {
}
