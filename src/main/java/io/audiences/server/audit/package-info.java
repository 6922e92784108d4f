/**
 * The audit log (table {@code audit_event}): other capabilities record their changes in their own transaction
 * through {@code AuditLog}, and {@code GET /api/v1/audit-events} lists them. It depends only on {@code platform}; it must not know the capabilities that record into it (their details arrive as data).
 */
package io.audiences.server.audit;
