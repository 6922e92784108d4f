/**
 * The upstream data set (tables {@code company}, {@code contact_record}, {@code intent_signal},
 * {@code upstream_partition} and the taxonomy tables): its vocabulary, the deterministic synthetic generator, the
 * NDJSON file format, the bulk writer and the {@code generate} / {@code load} commands. It serves no HTTP and must
 * depend on no capability but {@code platform} (today {@code DataCommand} opens the {@code Application}: issue 14).
 */
package io.audiences.server.upstream;
