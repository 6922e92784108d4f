/**
 * Webhook endpoints, their subscriptions, the transactional event outbox and the dispatcher that delivers it (tables
 * {@code webhook_endpoint}, {@code webhook_subscription}, {@code webhook_event}, {@code webhook_delivery},
 * {@code webhook_attempt}), signed per Standard Webhooks and kept off private networks. Producers call
 * {@code Outbox.publish} in their own transaction; this package must not depend on them. The outbox keeps the
 * producing span's trace context with each event, and each delivery attempt continues that trace.
 */
package io.audiences.server.webhooks;
