/**
 * The audience lifecycle (table {@code audience}): create, edit, delete, refresh, pause and resume, scheduled
 * renewal, and the HTTP face of an audience's results (read through {@code results}). It uses {@code catalog},
 * {@code builds}, {@code tenancy}, {@code webhooks}' outbox, {@code audit}, {@code idempotency} and {@code results} (an
 * audience hands it a {@code Snapshot}); no capability may depend back on it, and it holds no SQL of build or member
 * tables (a deletion asks {@code BuildStore} to lock and delete the audience's builds).
 */
package io.audiences.server.audiences;
