/**
 * Exactly-once state-changing POSTs under an {@code Idempotency-Key} (table {@code idempotent_request}): the claim,
 * the reply recorded in the change's own transaction, encrypted at rest, and its byte-for-byte replay. Handlers of
 * every capability answer through {@code IdempotentRequests}; it must not depend on any of them, only on
 * {@code platform}.
 */
package io.audiences.server.idempotency;
