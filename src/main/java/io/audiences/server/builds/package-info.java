/**
 * Build jobs and member snapshots (tables {@code audience_build}, {@code audience_member}, {@code build_signal}, where
 * H2 stages a broad filter's per-profile aggregate, plus the build-status columns of {@code audience}): leased claims
 * shared by every instance, fair between tenants, and the evaluation of a compiled filter over the landed upstream
 * days. It reads the upstream tables but never writes them, publishes events through {@code webhooks}' outbox, and must
 * not depend on {@code audiences} or {@code results}.
 */
package io.audiences.server.builds;
