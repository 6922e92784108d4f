package io.audiences.server.webhooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.tracing.Tracing;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of webhook endpoints, their subscriptions, the event outbox, deliveries and the attempt log. */
public final class WebhookStore {

    static final String PENDING = "pending";
    static final String SUCCEEDED = "succeeded";
    static final String FAILED = "failed";

    private final Database db;

    public WebhookStore(Database db) {
        this.db = db;
    }

    /** A registered endpoint (its secret stays sealed in the table). */
    public record Endpoint(UUID id, long seq, UUID organizationId, String url, List<EventType> events, String description,
                           Instant createdAt) {

        /** An endpoint is never changed after its registration (only deleted), so it has one version. */
        public String etag() {
            return Preconditions.etag(id, 0);
        }
    }

    /** One attempt of the delivery log. */
    public record Attempt(int attempt, Instant attemptedAt, Integer responseStatus, String error, long durationMs) { }

    /** One delivery with its attempts. */
    public record Delivery(long id, UUID endpointId, String eventId, EventType eventType, String status, int attempts,
                           Instant nextAttemptAt, Instant createdAt, List<Attempt> log) { }

    /**
     * A delivery this dispatcher holds until {@code leaseUntil}: what to send, and where; {@code producer} is the trace
     * context of the span that produced the event, if it was traced.
     */
    public record Claim(long deliveryId, int attempts, String owner, String eventId, String payload, UUID endpointId,
                        String url, byte[] sealedSecret, Instant retrySince, Optional<Tracing.Carried> producer) { }

    // ---- endpoints

    public void insertEndpoint(DbExecute tx, UUID id, UUID organizationId, String url, List<EventType> events,
                               String description, byte[] sealedSecret, Instant now) {
        tx.insert("INSERT INTO webhook_endpoint (id, organization_id, url, description, secret_sealed, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)", id, organizationId, url, description, sealedSecret, Timestamps.param(now));
        for (EventType type : events) {
            tx.insert("INSERT INTO webhook_subscription (endpoint_id, event_type) VALUES (?, ?)", id, type.wireName());
        }
    }

    public Optional<Endpoint> findEndpoint(DbExecute exec, UUID scope, UUID id) {
        List<Endpoint> found = endpoints(exec, "e.id = ?", List.of(scope, id), 1);
        return found.stream().findFirst();
    }

    /** Endpoints of {@code scope}'s organization and its descendants, by seq, after {@code afterSeq}. */
    public List<Endpoint> listEndpoints(UUID scope, long afterSeq, int limit) {
        return endpoints(db.client().execute(), "e.seq > ?", List.of(scope, afterSeq), limit);
    }

    private static List<Endpoint> endpoints(DbExecute exec, String condition, List<Object> params, int limit) {
        List<Endpoint> result = new ArrayList<>();
        try (Stream<DbRow> rows = exec.query("SELECT e.id, e.seq, e.organization_id, e.url, e.description, e.created_at "
                + "FROM webhook_endpoint e JOIN organization_closure c ON c.descendant_id = e.organization_id "
                + "WHERE c.ancestor_id = ? AND e.deleted_at IS NULL AND " + condition
                + " ORDER BY e.seq FETCH FIRST " + limit + " ROWS ONLY", params.toArray())) {
            rows.forEach(r -> result.add(new Endpoint(r.column("id").get(UUID.class), r.column("seq").get(Long.class),
                    r.column("organization_id").get(UUID.class), r.column("url").get(String.class), new ArrayList<>(),
                    r.column("description").get(String.class), Timestamps.column(r, "created_at"))));
        }
        if (result.isEmpty()) {
            return result;
        }
        Map<UUID, Endpoint> byId = new LinkedHashMap<>();
        result.forEach(e -> byId.put(e.id(), e));
        try (Stream<DbRow> rows = exec.query("SELECT endpoint_id, event_type FROM webhook_subscription WHERE endpoint_id IN ("
                + placeholders(byId.size()) + ") ORDER BY event_type", byId.keySet().toArray())) {
            rows.forEach(r -> EventType.of(r.column("event_type").get(String.class)).ifPresent(t ->
                    byId.get(r.column("endpoint_id").get(UUID.class)).events().add(t)));
        }
        return result;
    }

    /** Deletes the endpoint (kept, marked deleted, for the log's foreign keys) and cancels its pending deliveries. */
    public boolean deleteEndpoint(DbExecute tx, UUID id, Instant now) {
        if (tx.update("UPDATE webhook_endpoint SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                Timestamps.param(now), id) != 1) {
            return false;
        }
        tx.update("UPDATE webhook_delivery SET status = ?, next_attempt_at = NULL, lease_owner = NULL "
                + "WHERE endpoint_id = ? AND status = ?", FAILED, id, PENDING);
        return true;
    }

    // ---- the outbox

    /** Live endpoints subscribed to {@code type} whose organization is {@code organizationId} or one of its ancestors. */
    public List<UUID> subscribers(DbExecute tx, UUID organizationId, EventType type) {
        try (Stream<DbRow> rows = tx.query("SELECT e.id FROM webhook_endpoint e "
                + "JOIN webhook_subscription s ON s.endpoint_id = e.id "
                + "JOIN organization_closure c ON c.ancestor_id = e.organization_id "
                + "WHERE c.descendant_id = ? AND s.event_type = ? AND e.deleted_at IS NULL ORDER BY e.seq",
                organizationId, type.wireName())) {
            return rows.map(r -> r.column("id").get(UUID.class)).toList();
        }
    }

    public void insertEvent(DbExecute tx, String id, UUID organizationId, EventType type, String payload, Instant now,
                            Optional<Tracing.Carried> producer) {
        tx.insert("INSERT INTO webhook_event (id, organization_id, event_type, payload, created_at, traceparent, tracestate) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", id, organizationId, type.wireName(), payload, Timestamps.param(now),
                producer.map(Tracing.Carried::traceparent).orElse(null),
                producer.map(Tracing.Carried::tracestate).orElse(null));
    }

    public void insertDelivery(DbExecute tx, String eventId, UUID endpointId, Instant now) {
        tx.insert("INSERT INTO webhook_delivery (id, endpoint_id, event_id, status, attempts, next_attempt_at, retry_since, "
                + "created_at) VALUES (nextval('webhook_delivery_seq'), ?, ?, ?, 0, ?, ?, ?)", endpointId, eventId, PENDING,
                Timestamps.param(now), Timestamps.param(now), Timestamps.param(now));
    }

    // ---- the dispatcher

    /**
     * Claims up to {@code limit} due deliveries: rows another dispatcher holds are skipped (SKIP LOCKED), and each
     * claimed row is due again at {@code leaseUntil}, so the delivery of a dispatcher that died is retried then.
     */
    public List<Claim> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        return db.inTransaction(tx -> {
            List<Long> ids;
            try (Stream<DbRow> rows = tx.query("SELECT id FROM webhook_delivery WHERE status = ? AND next_attempt_at <= ? "
                    + "ORDER BY next_attempt_at FETCH FIRST " + limit + " ROWS ONLY FOR UPDATE SKIP LOCKED",
                    PENDING, Timestamps.param(now))) {
                ids = rows.map(r -> r.column("id").get(Long.class)).toList();
            }
            if (ids.isEmpty()) {
                return List.<Claim>of();
            }
            List<Object> params = new ArrayList<>(List.of(owner, Timestamps.param(leaseUntil)));
            params.addAll(ids);
            tx.update("UPDATE webhook_delivery SET lease_owner = ?, next_attempt_at = ? WHERE id IN ("
                    + placeholders(ids.size()) + ")", params.toArray());
            try (Stream<DbRow> rows = tx.query("SELECT d.id, d.attempts, d.event_id, d.retry_since, v.payload, "
                    + "v.traceparent, v.tracestate, e.id AS endpoint_id, e.url, e.secret_sealed FROM webhook_delivery d "
                    + "JOIN webhook_event v ON v.id = d.event_id JOIN webhook_endpoint e ON e.id = d.endpoint_id "
                    + "WHERE d.id IN (" + placeholders(ids.size()) + ")", ids.toArray())) {
                return rows.map(r -> new Claim(r.column("id").get(Long.class), r.column("attempts").get(Integer.class), owner,
                        r.column("event_id").get(String.class), r.column("payload").get(String.class),
                        r.column("endpoint_id").get(UUID.class), r.column("url").get(String.class),
                        r.column("secret_sealed").get(byte[].class), Timestamps.column(r, "retry_since"),
                        Optional.ofNullable(r.column("traceparent").get(String.class))
                                .map(parent -> new Tracing.Carried(parent, r.column("tracestate").get(String.class)))))
                        .toList();
            }
        });
    }

    /**
     * Records one attempt and its outcome, fenced on the claim: if the lease ran out and another dispatcher claimed
     * the delivery meanwhile, nothing is written (that dispatcher's attempt is the one logged). {@code nextAttempt}
     * is null when the delivery ends with {@code status}.
     */
    public boolean finish(Claim claim, Attempt attempt, String status, Instant nextAttempt) {
        return db.inTransaction(tx -> {
            long updated = tx.update("UPDATE webhook_delivery SET status = ?, attempts = attempts + 1, next_attempt_at = ?, "
                            + "lease_owner = NULL, last_attempt_at = ? WHERE id = ? AND lease_owner = ? AND attempts = ? "
                            + "AND status = ?", status, Timestamps.param(nextAttempt), Timestamps.param(attempt.attemptedAt()),
                    claim.deliveryId(), claim.owner(), claim.attempts(), PENDING);
            if (updated != 1) {
                return false;
            }
            tx.insert("INSERT INTO webhook_attempt (delivery_id, attempt, attempted_at, response_status, error, duration_ms) "
                            + "VALUES (?, ?, ?, ?, ?, ?)", claim.deliveryId(), attempt.attempt(),
                    Timestamps.param(attempt.attemptedAt()), attempt.responseStatus(), attempt.error(), attempt.durationMs());
            return true;
        });
    }

    // ---- the delivery log

    /** Deliveries to an endpoint, newest first, with ids below {@code beforeId}. */
    public List<Delivery> deliveries(UUID endpointId, long beforeId, int limit) {
        DbExecute exec = db.client().execute();
        List<Delivery> result;
        try (Stream<DbRow> rows = exec.query("SELECT d.id, d.endpoint_id, d.event_id, v.event_type, d.status, d.attempts, "
                + "d.next_attempt_at, d.created_at FROM webhook_delivery d JOIN webhook_event v ON v.id = d.event_id "
                + "WHERE d.endpoint_id = ? AND d.id < ? ORDER BY d.id DESC FETCH FIRST " + limit + " ROWS ONLY",
                endpointId, beforeId)) {
            result = rows.map(WebhookStore::delivery).toList();
        }
        return withAttempts(exec, result);
    }

    public Optional<Delivery> delivery(DbExecute exec, UUID endpointId, long id) {
        try (Stream<DbRow> rows = exec.query("SELECT d.id, d.endpoint_id, d.event_id, v.event_type, d.status, d.attempts, "
                + "d.next_attempt_at, d.created_at FROM webhook_delivery d JOIN webhook_event v ON v.id = d.event_id "
                + "WHERE d.endpoint_id = ? AND d.id = ?", endpointId, id)) {
            return withAttempts(exec, rows.map(WebhookStore::delivery).toList()).stream().findFirst();
        }
    }

    /** Makes the delivery due now with a fresh retry window; false when it does not exist. */
    public boolean redeliver(DbExecute tx, UUID endpointId, long id, Instant now) {
        return tx.update("UPDATE webhook_delivery SET status = ?, next_attempt_at = ?, retry_since = ?, lease_owner = NULL "
                + "WHERE id = ? AND endpoint_id = ?", PENDING, Timestamps.param(now), Timestamps.param(now), id, endpointId) == 1;
    }

    private static List<Delivery> withAttempts(DbExecute exec, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return deliveries;
        }
        Map<Long, List<Attempt>> attempts = new LinkedHashMap<>();
        deliveries.forEach(d -> attempts.put(d.id(), d.log()));
        try (Stream<DbRow> rows = exec.query("SELECT delivery_id, attempt, attempted_at, response_status, error, duration_ms "
                + "FROM webhook_attempt WHERE delivery_id IN (" + placeholders(attempts.size()) + ") ORDER BY attempt",
                attempts.keySet().toArray())) {
            rows.forEach(r -> attempts.get(r.column("delivery_id").get(Long.class)).add(new Attempt(
                    r.column("attempt").get(Integer.class), Timestamps.column(r, "attempted_at"),
                    r.column("response_status").get(Integer.class), r.column("error").get(String.class),
                    r.column("duration_ms").get(Long.class))));
        }
        return deliveries;
    }

    private static Delivery delivery(DbRow r) {
        return new Delivery(r.column("id").get(Long.class), r.column("endpoint_id").get(UUID.class),
                r.column("event_id").get(String.class), EventType.of(r.column("event_type").get(String.class)).orElseThrow(),
                r.column("status").get(String.class), r.column("attempts").get(Integer.class),
                Timestamps.column(r, "next_attempt_at"), Timestamps.column(r, "created_at"), new ArrayList<>());
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
