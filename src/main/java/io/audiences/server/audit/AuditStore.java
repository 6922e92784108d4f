package io.audiences.server.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Timestamps;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of the audit log. */
public final class AuditStore {

    private final Database db;

    public AuditStore(Database db) {
        this.db = db;
    }

    public void insert(DbExecute tx, AuditLog.Event e) {
        tx.insert("INSERT INTO audit_event (id, organization_id, action, actor_type, actor_id, credential_id, request_id, "
                        + "target_type, target_id, details, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                e.id(), e.organizationId(), e.action(), e.actor().type(), e.actor().id(), e.actor().credentialId(),
                e.actor().requestId(), e.targetType(), e.targetId(),
                e.details().isEmpty() ? null : Json.JSONB.toJson(e.details()), Timestamps.param(e.occurredAt()));
    }

    /** Events of {@code scope} and its descendants after {@code afterSeq}, at most {@code fetch} of them. */
    public List<AuditLog.Event> list(UUID scope, long afterSeq, Optional<String> action, Optional<String> targetId,
                                     Optional<Instant> since, int fetch) {
        StringBuilder sql = new StringBuilder("SELECT e.* FROM audit_event e "
                + "JOIN organization_closure c ON c.descendant_id = e.organization_id WHERE c.ancestor_id = ? AND e.seq > ?");
        List<Object> params = new ArrayList<>(List.of(scope, afterSeq));
        action.ifPresent(a -> {
            sql.append(" AND e.action = ?");
            params.add(a);
        });
        targetId.ifPresent(t -> {
            sql.append(" AND e.target_id = ?");
            params.add(t);
        });
        since.ifPresent(s -> {
            sql.append(" AND e.occurred_at >= ?");
            params.add(Timestamps.param(s));
        });
        sql.append(" ORDER BY e.seq FETCH FIRST ").append(fetch).append(" ROWS ONLY");
        try (Stream<DbRow> rows = db.client().execute().query(sql.toString(), params.toArray())) {
            return rows.map(AuditStore::event).toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static AuditLog.Event event(DbRow r) {
        String details = r.column("details").get(String.class);
        Map<String, String> map = details == null ? Map.of()
                : Json.JSONB.fromJson(details, (Class<LinkedHashMap<String, String>>) (Class<?>) LinkedHashMap.class);
        return new AuditLog.Event(r.column("seq").get(Long.class), r.column("id").get(UUID.class),
                r.column("organization_id").get(UUID.class), r.column("action").get(String.class),
                new AuditLog.Actor(r.column("actor_type").get(String.class), r.column("actor_id").get(UUID.class),
                        r.column("credential_id").get(String.class), r.column("request_id").get(String.class)),
                r.column("target_type").get(String.class), r.column("target_id").get(String.class), map,
                Timestamps.column(r, "occurred_at"));
    }
}
