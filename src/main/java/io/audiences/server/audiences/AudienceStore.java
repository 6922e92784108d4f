package io.audiences.server.audiences;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of audiences. Build jobs and snapshots live in the builds store. */
public final class AudienceStore {

    private final Database db;

    public AudienceStore(Database db) {
        this.db = db;
    }

    /** Inserts a new audience and returns its id. */
    public long insert(DbExecute tx, Audience a) {
        long id = tx.get("SELECT nextval('audience_seq') AS id").orElseThrow().column("id").get(Long.class);
        tx.insert("INSERT INTO audience (id, organization_id, project_id, name, description, audience_type, segmentation_type, "
                        + "filter_json, intent_window_days, refresh_schedule, mode, status, record_count, distinct_profile_count, "
                        + "bucket_counts, renew_time, version, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '{}', ?, 1, ?, ?)",
                id, a.organizationId(), a.projectId(), a.name(), a.description(), a.type(), a.segmentationType(), a.filterJson(),
                a.windowDays(), a.schedule(), a.mode(), a.status(), Timestamps.param(a.renewTime()),
                Timestamps.param(a.createdAt()), Timestamps.param(a.updatedAt()));
        return id;
    }

    public Optional<Audience> find(DbExecute exec, UUID projectId, long id) {
        return exec.get("SELECT * FROM audience WHERE id = ? AND project_id = ?", id, projectId).map(AudienceStore::audience);
    }

    public Optional<Audience> find(UUID projectId, long id) {
        return find(db.client().execute(), projectId, id);
    }

    /**
     * The audience if its project belongs to {@code scope} or a descendant of it: the project check of
     * {@code TenancyStore.findProject} and {@link #find(UUID, long)} in one round trip.
     */
    public Optional<Audience> findVisible(UUID scope, UUID projectId, long id) {
        return db.client().execute().get("SELECT a.* FROM audience a JOIN project p ON p.id = a.project_id "
                        + "JOIN organization_closure c ON c.descendant_id = p.organization_id "
                        + "WHERE c.ancestor_id = ? AND a.project_id = ? AND a.id = ?", scope, projectId, id)
                .map(AudienceStore::audience);
    }

    /** Locks the row for the rest of the transaction, so concurrent lifecycle calls serialize. */
    public Optional<Audience> lock(DbExecute tx, UUID projectId, long id) {
        return tx.get("SELECT * FROM audience WHERE id = ? AND project_id = ? FOR UPDATE", id, projectId)
                .map(AudienceStore::audience);
    }

    public List<Audience> list(UUID projectId, Optional<String> status, Optional<String> type, long afterId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM audience WHERE project_id = ? AND id > ?");
        List<Object> params = new ArrayList<>(List.of(projectId, afterId));
        status.ifPresent(s -> {
            sql.append(" AND status = ?");
            params.add(s);
        });
        type.ifPresent(t -> {
            sql.append(" AND audience_type = ?");
            params.add(t);
        });
        sql.append(" ORDER BY id FETCH FIRST ").append(limit + 1).append(" ROWS ONLY");
        try (Stream<DbRow> rows = db.client().execute().query(sql.toString(), params.toArray())) {
            return rows.map(AudienceStore::audience).toList();
        }
    }

    /** Writes the editable and lifecycle fields of {@code a} and bumps the version. */
    public void update(DbExecute tx, Audience a, Instant now) {
        tx.update("UPDATE audience SET name = ?, description = ?, filter_json = ?, intent_window_days = ?, refresh_schedule = ?, "
                        + "status = ?, error = ?, task_id = ?, latest_build_id = ?, renew_time = ?, previous_renew_time = ?, "
                        + "paused_at = ?, pause_reason = ?, version = version + 1, updated_at = ? WHERE id = ?",
                a.name(), a.description(), a.filterJson(), a.windowDays(), a.schedule(), a.status(), a.error(), a.taskId(),
                a.latestBuildId(), Timestamps.param(a.renewTime()), Timestamps.param(a.previousRenewTime()),
                Timestamps.param(a.pausedAt()), a.pauseReason(), Timestamps.param(now), a.id());
    }

    public void delete(DbExecute tx, long id) {
        tx.delete("DELETE FROM audience_member WHERE build_id IN (SELECT id FROM audience_build WHERE audience_id = ?)", id);
        tx.delete("DELETE FROM audience_build WHERE audience_id = ?", id);
        tx.delete("DELETE FROM audience WHERE id = ?", id);
    }

    /** Unpaused audiences of the projects of an organization subtree, for pausing on deactivation. */
    public List<Audience> activeInOrganizationTree(DbExecute tx, UUID organizationId) {
        try (Stream<DbRow> rows = tx.query("SELECT a.* FROM audience a JOIN project p ON p.id = a.project_id "
                + "JOIN organization_closure c ON c.descendant_id = p.organization_id "
                + "WHERE c.ancestor_id = ? AND a.paused_at IS NULL", organizationId)) {
            return rows.map(AudienceStore::audience).toList();
        }
    }

    public List<Audience> activeInProject(DbExecute tx, UUID projectId) {
        try (Stream<DbRow> rows = tx.query("SELECT * FROM audience WHERE project_id = ? AND paused_at IS NULL", projectId)) {
            return rows.map(AudienceStore::audience).toList();
        }
    }

    /** Audiences whose renewal is due, oldest first. */
    public List<Audience> due(Instant now, int limit) {
        try (Stream<DbRow> rows = db.client().execute().query("SELECT * FROM audience WHERE renew_time <= ? "
                + "AND paused_at IS NULL ORDER BY renew_time FETCH FIRST " + limit + " ROWS ONLY", Timestamps.param(now))) {
            return rows.map(AudienceStore::audience).toList();
        }
    }

    static Audience audience(DbRow r) {
        return new Audience(r.column("id").get(Long.class), r.column("organization_id").get(UUID.class),
                r.column("project_id").get(UUID.class), r.column("name").get(String.class),
                r.column("description").get(String.class), r.column("audience_type").get(String.class),
                r.column("segmentation_type").get(String.class), r.column("filter_json").get(String.class),
                r.column("intent_window_days").get(Integer.class), r.column("refresh_schedule").get(String.class),
                r.column("mode").get(String.class), r.column("status").get(String.class), r.column("error").get(String.class),
                r.column("task_id").get(String.class), r.column("current_build_id").get(Long.class),
                r.column("latest_build_id").get(Long.class), r.column("record_count").get(Long.class),
                r.column("distinct_profile_count").get(Long.class), r.column("bucket_counts").get(String.class),
                r.column("data_through").asOptional().map(Timestamps::date).orElse(null),
                Timestamps.column(r, "last_built_at"), Timestamps.column(r, "renew_time"),
                Timestamps.column(r, "previous_renew_time"), Timestamps.column(r, "paused_at"),
                r.column("pause_reason").get(String.class), r.column("version").get(Long.class),
                Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"));
    }

}
