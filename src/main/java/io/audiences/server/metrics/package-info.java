/**
 * The meters {@code GET /metrics} serves in Prometheus text (Helidon metrics with its Micrometer provider): requests
 * by operation id and status, rejections by problem code, sign-in failures, builds by state and duration, download
 * bytes and rows, the connection pool and the JVM. Owns no table (the build-state gauge reads one cached count). The
 * other capabilities call it; it depends only on {@code platform} and {@code signin}'s event types.
 */
package io.audiences.server.metrics;
