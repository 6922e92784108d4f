package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of organizations and projects. Subtree checks go through the closure table. */
public final class TenancyStore {

    static final String ACTIVE = "active";

    private static final String ORG_COLUMNS = "o.id, o.seq, o.name, o.parent_id, o.enterprise_id, o.status, o.created_at, o.updated_at, o.version";
    private static final String PROJECT_COLUMNS = "p.id, p.seq, p.organization_id, p.name, p.status, p.created_at, p.updated_at, p.version";

    private final Database db;

    public TenancyStore(Database db) {
        this.db = db;
    }

    /** Inserts an organization and its closure rows in the caller's transaction. */
    public void insertOrganization(DbExecute tx, UUID id, String name, UUID parentId, UUID enterpriseId, Instant now) {
        tx.insert("INSERT INTO organization (id, name, parent_id, enterprise_id, status, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                id, name, parentId, enterpriseId, ACTIVE, Timestamps.param(now), Timestamps.param(now));
        tx.insert("INSERT INTO organization_closure (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)", id, id);
        if (parentId != null) {
            tx.insert("INSERT INTO organization_closure (ancestor_id, descendant_id, depth) "
                    + "SELECT ancestor_id, ?, depth + 1 FROM organization_closure WHERE descendant_id = ?", id, parentId);
        }
    }

    public void insertEnterprise(DbExecute tx, UUID id, String name, Instant now) {
        tx.insert("INSERT INTO enterprise (id, name, created_at) VALUES (?, ?, ?)", id, name, Timestamps.param(now));
    }

    /** The organization if {@code scope} is it or one of its ancestors. */
    public Optional<Organization> findOrganization(UUID scope, UUID id) {
        return findOrganization(db.client().execute(), scope, id);
    }

    public Optional<Organization> findOrganization(DbExecute exec, UUID scope, UUID id) {
        return exec.get("SELECT " + ORG_COLUMNS + " FROM organization o "
                + "JOIN organization_closure c ON c.descendant_id = o.id WHERE c.ancestor_id = ? AND o.id = ?", scope, id)
                .map(TenancyStore::organization);
    }

    public List<Organization> listOrganizations(UUID scope, long afterSeq, int limit) {
        try (Stream<DbRow> rows = db.client().execute().query("SELECT " + ORG_COLUMNS + " FROM organization o "
                + "JOIN organization_closure c ON c.descendant_id = o.id WHERE c.ancestor_id = ? AND o.seq > ? "
                + "ORDER BY o.seq FETCH FIRST " + (limit + 1) + " ROWS ONLY", scope, afterSeq)) {
            return rows.map(TenancyStore::organization).toList();
        }
    }

    /**
     * Writes an organization's name and status and counts the write; with {@code expectedVersion}, only over that
     * version (false when another write came first).
     */
    public boolean updateOrganization(DbExecute tx, UUID id, String name, String status, Instant now,
                                      OptionalLong expectedVersion) {
        return update(tx, "organization", id, name, status, now, expectedVersion);
    }

    public boolean exists(UUID organizationId) {
        return db.client().execute().get("SELECT id FROM organization WHERE id = ?", organizationId).isPresent();
    }

    /** Active only if the organization and every ancestor are active. */
    public boolean isEffectivelyActive(UUID organizationId) {
        return db.client().execute().get("SELECT " + effectivelyActive("?") + " AS active", organizationId)
                .map(r -> r.column("active").get(Boolean.class)).orElse(false);
    }

    /**
     * The condition {@link #isEffectivelyActive} evaluates, as an SQL boolean expression over the organization id in
     * {@code organizationId} (a column or a parameter mark), so that a lookup on the request path (credential
     * checks) can answer it in the same round trip instead of a second query.
     */
    public static String effectivelyActive(String organizationId) {
        return "NOT EXISTS (SELECT 1 FROM organization_closure ac JOIN organization ao ON ao.id = ac.ancestor_id "
                + "WHERE ac.descendant_id = " + organizationId + " AND ao.status <> '" + ACTIVE + "')";
    }

    /**
     * The tenant of the organization in {@code organizationId} (a column or a parameter mark): its top-level ancestor,
     * or itself at the top. An SQL scalar subquery, so the credential lookups answer it in their own round trip.
     */
    public static String tenantOf(String organizationId) {
        return "(SELECT tc.ancestor_id FROM organization_closure tc JOIN organization tr ON tr.id = tc.ancestor_id "
                + "WHERE tc.descendant_id = " + organizationId + " AND tr.parent_id IS NULL)";
    }

    public void insertProject(DbExecute tx, UUID id, UUID organizationId, String name, Instant now) {
        tx.insert("INSERT INTO project (id, organization_id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                id, organizationId, name, ACTIVE, Timestamps.param(now), Timestamps.param(now));
    }

    /** The project if it belongs to {@code scope} or a descendant of it. */
    public Optional<Project> findProject(UUID scope, UUID id) {
        return findProject(db.client().execute(), scope, id);
    }

    public Optional<Project> findProject(DbExecute exec, UUID scope, UUID id) {
        return exec.get("SELECT " + PROJECT_COLUMNS + " FROM project p "
                + "JOIN organization_closure c ON c.descendant_id = p.organization_id WHERE c.ancestor_id = ? AND p.id = ?",
                scope, id).map(TenancyStore::project);
    }

    public List<Project> listProjects(UUID scope, Optional<UUID> organizationId, long afterSeq, int limit) {
        String sql = "SELECT " + PROJECT_COLUMNS + " FROM project p "
                + "JOIN organization_closure c ON c.descendant_id = p.organization_id WHERE c.ancestor_id = ? AND p.seq > ? "
                + (organizationId.isPresent() ? "AND p.organization_id = ? " : "")
                + "ORDER BY p.seq FETCH FIRST " + (limit + 1) + " ROWS ONLY";
        Object[] params = organizationId.isPresent() ? new Object[] {scope, afterSeq, organizationId.get()}
                : new Object[] {scope, afterSeq};
        try (Stream<DbRow> rows = db.client().execute().query(sql, params)) {
            return rows.map(TenancyStore::project).toList();
        }
    }

    /** As {@link #updateOrganization}, for a project. */
    public boolean updateProject(DbExecute tx, UUID id, String name, String status, Instant now, OptionalLong expectedVersion) {
        return update(tx, "project", id, name, status, now, expectedVersion);
    }

    private static boolean update(DbExecute tx, String table, UUID id, String name, String status, Instant now,
                                  OptionalLong expectedVersion) {
        String sql = "UPDATE " + table + " SET name = ?, status = ?, updated_at = ?, version = version + 1 WHERE id = ?";
        return expectedVersion.isPresent()
                ? tx.update(sql + " AND version = ?", name, status, Timestamps.param(now), id, expectedVersion.getAsLong()) == 1
                : tx.update(sql, name, status, Timestamps.param(now), id) == 1;
    }

    private static Organization organization(DbRow r) {
        return new Organization(r.column("id").get(UUID.class), r.column("seq").get(Long.class), r.column("name").get(String.class),
                r.column("parent_id").get(UUID.class), r.column("enterprise_id").get(UUID.class),
                r.column("status").get(String.class), Timestamps.column(r, "created_at"),
                Timestamps.column(r, "updated_at"), r.column("version").get(Long.class));
    }

    private static Project project(DbRow r) {
        return new Project(r.column("id").get(UUID.class), r.column("seq").get(Long.class),
                r.column("organization_id").get(UUID.class), r.column("name").get(String.class),
                r.column("status").get(String.class), Timestamps.column(r, "created_at"),
                Timestamps.column(r, "updated_at"), r.column("version").get(Long.class));
    }
}
