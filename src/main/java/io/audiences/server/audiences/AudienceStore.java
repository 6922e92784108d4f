package io.audiences.server.audiences;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.builds.BuildStatus;
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
        Audience.Definition d = a.definition();
        long id = tx.get("SELECT nextval('audience_seq') AS id").orElseThrow().column("id").get(Long.class);
        tx.insert("INSERT INTO audience (id, organization_id, project_id, name, description, audience_type, segmentation_type, "
                        + "filter_json, intent_window_days, refresh_schedule, mode, status, record_count, distinct_profile_count, "
                        + "bucket_counts, renew_time, version, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '{}', ?, 1, ?, ?)",
                id, a.organizationId(), a.projectId(), d.name(), d.description(), d.type().value(), d.segmentationType().label(),
                d.filterJson(), d.windowDays(), d.schedule().value(), d.mode().value(), a.progress().status().label(),
                Timestamps.param(a.renewal().renewTime()),
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
     * The audience's version (what its ETag names), if it is in the project. Plain JDBC: this is the whole database
     * work of a polled audience's read, and DB Client's statement naming, preparing and row mapping took as much CPU
     * as the driver itself there ({@code bin/bench --get}).
     */
    public OptionalLong version(UUID projectId, long id) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT version FROM audience WHERE id = ? AND project_id = ?")) {
            ps.setLong(1, id);
            ps.setObject(2, projectId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the version of audience " + id + " failed", e);
        }
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

    /** The orders of the audience list ({@code sort}); each keyset cursor is valid for its own order only. */
    public enum Order {
        CREATED("created_at"), CREATED_DESC("-created_at"), NAME("name"), NAME_DESC("-name");

        private final String value;

        Order(String value) {
            this.value = value;
        }

        public static Order of(String value) {
            for (Order o : values()) {
                if (o.value.equals(value)) {
                    return o;
                }
            }
            throw new IllegalArgumentException(value);
        }

        boolean byName() {
            return this == NAME || this == NAME_DESC;
        }

        boolean descending() {
            return this == CREATED_DESC || this == NAME_DESC;
        }
    }

    /** A listed audience with the key it is sorted by in a name order (the database's own lower case of its name). */
    public record Listed(Audience audience, String sortName) { }

    /**
     * Up to {@code limit + 1} audiences of the project in {@code order}, after {@code afterId} (and, in a name order,
     * after {@code afterName}: ties are broken by id, so the position is exact).
     */
    public List<Listed> list(UUID projectId, Optional<BuildStatus> status, Optional<Audience.Type> type,
                             Optional<String> nameContains, Order order, Optional<Long> afterId, Optional<String> afterName, int limit) {
        StringBuilder sql = new StringBuilder("SELECT a.*, LOWER(a.name) AS sort_name FROM audience a WHERE a.project_id = ?");
        List<Object> params = new ArrayList<>(List.of(projectId));
        status.ifPresent(s -> {
            sql.append(" AND a.status = ?");
            params.add(s.label());
        });
        type.ifPresent(t -> {
            sql.append(" AND a.audience_type = ?");
            params.add(t.value());
        });
        nameContains.ifPresent(n -> {
            sql.append(" AND LOWER(a.name) LIKE LOWER(?) ESCAPE '\\'");
            params.add("%" + n.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        });
        String after = order.descending() ? "<" : ">";
        String direction = order.descending() ? " DESC" : "";
        if (afterId.isPresent() && order.byName()) {
            sql.append(" AND (LOWER(a.name) ").append(after).append(" ? OR (LOWER(a.name) = ? AND a.id ").append(after)
                    .append(" ?))");
            params.addAll(List.of(afterName.orElseThrow(), afterName.orElseThrow(), afterId.get()));
        } else if (afterId.isPresent()) {
            sql.append(" AND a.id ").append(after).append(" ?");
            params.add(afterId.get());
        }
        sql.append(" ORDER BY ").append(order.byName() ? "LOWER(a.name)" + direction + ", " : "").append("a.id").append(direction)
                .append(" FETCH FIRST ").append(limit + 1).append(" ROWS ONLY");
        try (Stream<DbRow> rows = db.client().execute().query(sql.toString(), params.toArray())) {
            return rows.map(r -> new Listed(audience(r), r.column("sort_name").getString())).toList();
        }
    }

    /**
     * Writes the editable and lifecycle fields of {@code a} and bumps the version, if the stored version is still
     * {@code a}'s (compare-and-set); false when it is not, and nothing is written.
     */
    public boolean update(DbExecute tx, Audience a, Instant now) {
        Audience.Definition d = a.definition();
        Audience.Progress p = a.progress();
        Audience.Renewal r = a.renewal();
        return tx.update("UPDATE audience SET name = ?, description = ?, filter_json = ?, intent_window_days = ?, refresh_schedule = ?, "
                        + "status = ?, error = ?, task_id = ?, latest_build_id = ?, renew_time = ?, previous_renew_time = ?, "
                        + "paused_at = ?, pause_reason = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                d.name(), d.description(), d.filterJson(), d.windowDays(), d.schedule().value(), p.status().label(), p.error(),
                p.taskId(), p.latestBuildId(), Timestamps.param(r.renewTime()), Timestamps.param(r.previousRenewTime()),
                Timestamps.param(r.pausedAt()), r.pauseReason() == null ? null : r.pauseReason().value(),
                Timestamps.param(now), a.id(), a.version()) == 1;
    }

    public void delete(DbExecute tx, long id) {
        tx.delete("DELETE FROM audience WHERE id = ?", id);
    }

    /** Unpaused audiences of the projects of an organization subtree, for pausing on deactivation. */
    /**
     * The unpaused audiences under {@code organizationId}, locked (in id order) for the caller's transaction: a build
     * finishing meanwhile would otherwise move an audience to a newer version than the one read, and the pause's
     * compare-and-set on the version would fail.
     */
    public List<Audience> activeInOrganizationTree(DbExecute tx, UUID organizationId) {
        try (Stream<DbRow> rows = tx.query("SELECT * FROM audience WHERE paused_at IS NULL AND project_id IN ("
                + "SELECT p.id FROM project p JOIN organization_closure c ON c.descendant_id = p.organization_id "
                + "WHERE c.ancestor_id = ?) ORDER BY id FOR UPDATE", organizationId)) {
            return rows.map(AudienceStore::audience).toList();
        }
    }

    /** As {@link #activeInOrganizationTree}, for one project. */
    public List<Audience> activeInProject(DbExecute tx, UUID projectId) {
        try (Stream<DbRow> rows = tx.query("SELECT * FROM audience WHERE project_id = ? AND paused_at IS NULL "
                + "ORDER BY id FOR UPDATE", projectId)) {
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
        String pauseReason = r.column("pause_reason").get(String.class);
        return new Audience(r.column("id").get(Long.class), r.column("organization_id").get(UUID.class),
                r.column("project_id").get(UUID.class),
                new Audience.Definition(r.column("name").get(String.class), r.column("description").get(String.class),
                        Audience.Type.of(r.column("audience_type").get(String.class)),
                        Audience.SegmentationType.of(r.column("segmentation_type").get(String.class)),
                        r.column("filter_json").get(String.class), r.column("intent_window_days").get(Integer.class),
                        Schedule.of(r.column("refresh_schedule").get(String.class)),
                        Audience.Mode.of(r.column("mode").get(String.class))),
                new Audience.Progress(BuildStatus.of(r.column("status").get(String.class)),
                        r.column("error").get(String.class), r.column("task_id").get(String.class),
                        r.column("latest_build_id").get(Long.class)),
                new Audience.Counts(r.column("current_build_id").get(Long.class), r.column("record_count").get(Long.class),
                        r.column("distinct_profile_count").get(Long.class), r.column("bucket_counts").get(String.class),
                        r.column("data_through").asOptional().map(Timestamps::date).orElse(null),
                        Timestamps.column(r, "last_built_at")),
                new Audience.Renewal(Timestamps.column(r, "renew_time"), Timestamps.column(r, "previous_renew_time"),
                        Timestamps.column(r, "paused_at"), pauseReason == null ? null : Audience.PauseReason.of(pauseReason)),
                r.column("version").get(Long.class), Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"));
    }

}
