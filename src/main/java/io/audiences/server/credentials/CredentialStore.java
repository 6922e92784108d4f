package io.audiences.server.credentials;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.tenancy.TenancyStore;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of users, API clients, API keys and apps. Only hashes of secrets ever reach these tables. */
public final class CredentialStore {

    static final String ACTIVE = "active";
    static final String REVOKED = "revoked";
    static final String DISABLED = "disabled";
    static final String DELETED = "deleted";

    private final Database db;

    public CredentialStore(Database db) {
        this.db = db;
    }

    /** A stored user. */
    public record User(UUID id, UUID organizationId, String email, String firstName, String lastName,
                       String passwordHash, String status, boolean passwordChangeRequired, int tokenVersion,
                       Instant createdAt, long version) {

        /** Versioned by the status changes and the deletion the API makes (its only writes of a user's representation). */
        public String etag() {
            return Preconditions.etag(id, version);
        }
    }

    /** What authenticating an API key needs, in one row. */
    public record KeyCredential(UUID keyId, UUID clientId, UUID organizationId, String secretHash, String status,
                                boolean clientDeleted, boolean secretEnforced, String scope, Instant lastUsedAt,
                                boolean organizationActive, UUID tenantId) { }

    /**
     * What verifying a token's subject needs, in one row: its organization, whether the subject itself is active
     * (an active user or app), its current token version, whether it must change its one-time password, whether its
     * organization is effectively active, and its tenant.
     */
    public record Subject(UUID organizationId, boolean active, int tokenVersion, boolean passwordChangeRequired,
                          boolean organizationActive, UUID tenantId) { }

    /** A stored API key as listed. */
    public record Key(UUID id, UUID clientId, String prefix, String status, Instant createdAt, Instant lastUsedAt,
                      Instant revokedAt) { }

    /** A stored API client. */
    public record Client(UUID id, UUID organizationId, String name, boolean secretEnforced, String scope, Instant createdAt,
                         long version) {

        public String etag() {
            return Preconditions.etag(id, version);
        }
    }

    /** A stored app with its creator, if any. */
    public record App(UUID id, UUID organizationId, String name, String clientId, String secretHash, String status,
                      int tokenVersion, Instant createdAt, Instant updatedAt, Optional<User> creator) {

        /** Every write of an app (a rotation, the revocation) bumps its token version, so the ETag names that. */
        public String etag() {
            return Preconditions.etag(id, tokenVersion);
        }
    }

    public void insertUser(DbExecute tx, User u) {
        tx.insert("INSERT INTO app_user (id, organization_id, email, first_name, last_name, password_hash, status, "
                        + "password_change_required, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                u.id(), u.organizationId(), u.email(), u.firstName(), u.lastName(), u.passwordHash(), u.status(),
                u.passwordChangeRequired(), Timestamps.param(u.createdAt()));
    }

    /** A user of {@code scope} or of a descendant organization, unless deleted. */
    public Optional<User> findUser(UUID scope, UUID id) {
        return db.client().execute().get("SELECT u.* FROM app_user u JOIN organization_closure c "
                + "ON c.descendant_id = u.organization_id WHERE c.ancestor_id = ? AND u.id = ? AND u.status <> ?",
                scope, id, DELETED).map(CredentialStore::user);
    }

    /** Sets the user's status; leaving {@code active} also ends its tokens. */
    public boolean setUserStatus(DbExecute tx, UUID id, String status, OptionalLong expectedVersion) {
        return versioned(tx, "UPDATE app_user SET status = ?, token_version = token_version + ?, version = version + 1 "
                + "WHERE id = ?", expectedVersion, status, ACTIVE.equals(status) ? 0 : 1, id);
    }

    /**
     * Runs an UPDATE of one row by id ({@code sql} ends with its {@code WHERE id = ?}); with {@code expectedVersion},
     * only while the row is at that version. Whether a row changed.
     */
    private static boolean versioned(DbExecute tx, String sql, OptionalLong expectedVersion, Object... params) {
        if (expectedVersion.isEmpty()) {
            return tx.update(sql, params) > 0;
        }
        Object[] all = Arrays.copyOf(params, params.length + 1);
        all[params.length] = expectedVersion.getAsLong();
        return tx.update(sql + " AND version = ?", all) > 0;
    }

    /**
     * Deletes a user: its tokens end, and its name, email and password hash are erased (the row stays for the apps it
     * created, and the email is free again).
     */
    public boolean deleteUser(DbExecute tx, UUID id, OptionalLong expectedVersion) {
        return versioned(tx, "UPDATE app_user SET status = ?, email = ?, first_name = '', last_name = '', password_hash = '', "
                + "password_change_required = FALSE, token_version = token_version + 1, version = version + 1 WHERE id = ?",
                expectedVersion, DELETED, id + "@deleted.invalid", id);
    }

    /** Replaces the password hash; every token issued before ends. */
    public void setPassword(DbExecute tx, UUID id, String passwordHash) {
        tx.update("UPDATE app_user SET password_hash = ?, password_change_required = FALSE, "
                + "token_version = token_version + 1 WHERE id = ?", passwordHash, id);
    }

    /** Ends every token of the user issued so far (logout). */
    public void endUserTokens(DbExecute tx, UUID id) {
        tx.update("UPDATE app_user SET token_version = token_version + 1 WHERE id = ?", id);
    }

    public Optional<User> findUserByEmail(String email) {
        return db.client().execute().get("SELECT * FROM app_user WHERE email = ?", email).map(CredentialStore::user);
    }

    public Optional<User> findUser(UUID id) {
        return db.client().execute().get("SELECT * FROM app_user WHERE id = ?", id).map(CredentialStore::user);
    }

    public void insertClient(DbExecute tx, Client c) {
        tx.insert("INSERT INTO api_client (id, organization_id, name, secret_enforced, scope, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                c.id(), c.organizationId(), c.name(), c.secretEnforced(), c.scope(), Timestamps.param(c.createdAt()));
    }

    public void insertKey(DbExecute tx, UUID id, UUID clientId, String keyHash, String prefix, String secretHash, Instant now) {
        tx.insert("INSERT INTO api_key (id, client_id, key_hash, key_prefix, secret_hash, status, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", id, clientId, keyHash, prefix, secretHash, ACTIVE, Timestamps.param(now));
    }

    /** Live (not deleted) client of the organization. */
    public Optional<Client> findClient(UUID organizationId, UUID id) {
        return db.client().execute().get("SELECT * FROM api_client WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
                id, organizationId).map(CredentialStore::client);
    }

    /** A row of a keyset-paged list with its sequence number, which the next page's cursor starts after. */
    public record Listed<T>(long seq, T row) { }

    /** Up to {@code limit + 1} of the organization's API clients after {@code afterSeq}, oldest first. */
    public List<Listed<Client>> listClients(UUID organizationId, long afterSeq, int limit) {
        try (Stream<DbRow> rows = db.client().execute().query("SELECT * FROM api_client WHERE organization_id = ? "
                + "AND deleted_at IS NULL AND seq > ? ORDER BY seq FETCH FIRST " + (limit + 1) + " ROWS ONLY",
                organizationId, afterSeq)) {
            return rows.map(r -> new Listed<>(r.column("seq").getLong(), client(r))).toList();
        }
    }

    public long countClients(UUID organizationId) {
        return db.client().execute().get("SELECT COUNT(*) AS n FROM api_client WHERE organization_id = ? AND deleted_at IS NULL",
                organizationId).orElseThrow().column("n").getLong();
    }

    public List<Key> listKeys(UUID organizationId) {
        try (Stream<DbRow> rows = db.client().execute().query(
                "SELECT k.* FROM api_key k JOIN api_client c ON c.id = k.client_id "
                        + "WHERE c.organization_id = ? AND c.deleted_at IS NULL ORDER BY k.created_at, k.id", organizationId)) {
            return rows.map(CredentialStore::key).toList();
        }
    }

    public List<UUID> activeKeyIds(DbExecute tx, UUID clientId) {
        try (Stream<DbRow> rows = tx.query("SELECT id FROM api_key WHERE client_id = ? AND status = ?", clientId, ACTIVE)) {
            return rows.map(r -> r.column("id").get(UUID.class)).toList();
        }
    }

    /** Revokes one key of a client; returns whether the key exists for that client. */
    public boolean revokeKey(DbExecute tx, UUID clientId, UUID keyId, Instant now) {
        tx.update("UPDATE api_key SET status = ?, revoked_at = ? WHERE id = ? AND client_id = ? AND status = ?",
                REVOKED, Timestamps.param(now), keyId, clientId, ACTIVE);
        return tx.get("SELECT id FROM api_key WHERE id = ? AND client_id = ?", keyId, clientId).isPresent();
    }

    public boolean updateSecretEnforced(DbExecute tx, UUID clientId, boolean secretEnforced, OptionalLong expectedVersion) {
        return versioned(tx, "UPDATE api_client SET secret_enforced = ?, version = version + 1 WHERE id = ?", expectedVersion,
                secretEnforced, clientId);
    }

    /** Deletes a client and revokes its keys; with {@code expectedVersion}, only at that version (false otherwise). */
    public boolean deleteClient(DbExecute tx, UUID clientId, Instant now, OptionalLong expectedVersion) {
        if (!versioned(tx, "UPDATE api_client SET deleted_at = ?, version = version + 1 WHERE id = ?", expectedVersion,
                Timestamps.param(now), clientId)) {
            return false;
        }
        tx.update("UPDATE api_key SET status = ?, revoked_at = ? WHERE client_id = ? AND status = ?",
                REVOKED, Timestamps.param(now), clientId, ACTIVE);
        return true;
    }

    public Optional<KeyCredential> findKeyCredential(String keyHash) {
        return db.client().execute().get("SELECT k.id, k.client_id, k.secret_hash, k.status, k.last_used_at, "
                + "c.organization_id, c.secret_enforced, c.scope, c.deleted_at, "
                + TenancyStore.effectivelyActive("c.organization_id") + " AS org_active, "
                + TenancyStore.tenantOf("c.organization_id") + " AS tenant_id "
                + "FROM api_key k JOIN api_client c ON c.id = k.client_id "
                + "WHERE k.key_hash = ?", keyHash).map(r -> new KeyCredential(
                r.column("id").get(UUID.class), r.column("client_id").get(UUID.class),
                r.column("organization_id").get(UUID.class), r.column("secret_hash").get(String.class),
                r.column("status").get(String.class), r.column("deleted_at").asOptional().isPresent(),
                r.column("secret_enforced").get(Boolean.class), r.column("scope").get(String.class),
                Timestamps.column(r, "last_used_at"),
                r.column("org_active").get(Boolean.class), r.column("tenant_id").get(UUID.class)));
    }

    /** The user or app a token names, read on every authenticated request (one round trip). */
    public Optional<Subject> findSubject(Principal.Kind kind, UUID id) {
        String sql = switch (kind) {
            case USER -> "SELECT u.organization_id, u.status = '" + ACTIVE + "' AS active, u.token_version, "
                    + "u.password_change_required, " + TenancyStore.effectivelyActive("u.organization_id")
                    + " AS org_active, " + TenancyStore.tenantOf("u.organization_id") + " AS tenant_id "
                    + "FROM app_user u WHERE u.id = ?";
            case APP -> "SELECT a.organization_id, a.status = '" + ACTIVE + "' AS active, a.token_version, "
                    + "FALSE AS password_change_required, "
                    + TenancyStore.effectivelyActive("a.organization_id") + " AS org_active, "
                    + TenancyStore.tenantOf("a.organization_id") + " AS tenant_id FROM app a WHERE a.id = ?";
            case API_KEY -> null;
        };
        if (sql == null) {
            return Optional.empty();
        }
        return db.client().execute().get(sql, id).map(r -> new Subject(r.column("organization_id").get(UUID.class),
                r.column("active").get(Boolean.class), r.column("token_version").get(Integer.class),
                r.column("password_change_required").get(Boolean.class), r.column("org_active").get(Boolean.class),
                r.column("tenant_id").get(UUID.class)));
    }

    public void touchKey(UUID keyId, Instant now) {
        db.client().execute().update("UPDATE api_key SET last_used_at = ? WHERE id = ?", Timestamps.param(now), keyId);
    }

    public void insertApp(DbExecute tx, App a, Optional<UUID> createdBy) {
        tx.insert("INSERT INTO app (id, organization_id, name, client_id, secret_hash, status, created_by, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                a.id(), a.organizationId(), a.name(), a.clientId(), a.secretHash(), a.status(), createdBy.orElse(null),
                Timestamps.param(a.createdAt()), Timestamps.param(a.updatedAt()));
    }

    /**
     * Revokes the app for good and ends its tokens; returns whether it was active. The row stays (as {@code revoked})
     * for the audit log and the tokens' lookup, but reads no longer find it.
     */
    /** Revokes an active app; with {@code expectedVersion}, only at that token version (false otherwise, or if not active). */
    public boolean revokeApp(DbExecute tx, UUID id, Instant now, OptionalLong expectedVersion) {
        String sql = "UPDATE app SET status = ?, token_version = token_version + 1, updated_at = ? WHERE id = ? AND status = ?";
        return expectedVersion.isPresent()
                ? tx.update(sql + " AND token_version = ?", REVOKED, Timestamps.param(now), id, ACTIVE,
                        expectedVersion.getAsLong()) > 0
                : tx.update(sql, REVOKED, Timestamps.param(now), id, ACTIVE) > 0;
    }

    /** Replaces an active app's secret hash and ends its tokens; returns whether the app was active. */
    public boolean rotateAppSecret(DbExecute tx, UUID id, String secretHash, Instant now) {
        return tx.update("UPDATE app SET secret_hash = ?, token_version = token_version + 1, updated_at = ? "
                + "WHERE id = ? AND status = ?", secretHash, Timestamps.param(now), id, ACTIVE) > 0;
    }

    private static final String APP_QUERY = "SELECT a.*, u.id AS u_id, u.organization_id AS u_org, u.email AS u_email, "
            + "u.first_name AS u_first, u.last_name AS u_last, u.status AS u_status, u.created_at AS u_created "
            + "FROM app a LEFT JOIN app_user u ON u.id = a.created_by ";

    public Optional<App> findApp(UUID organizationId, UUID id) {
        return findApp(db.client().execute(), organizationId, id);
    }

    public Optional<App> findApp(DbExecute exec, UUID organizationId, UUID id) {
        return exec.get(APP_QUERY + "WHERE a.id = ? AND a.organization_id = ? AND a.status = ?", id, organizationId, ACTIVE)
                .map(CredentialStore::app);
    }

    public Optional<App> findAppByClientId(String clientId) {
        return db.client().execute().get(APP_QUERY + "WHERE a.client_id = ?", clientId).map(CredentialStore::app);
    }

    /** The app by id regardless of organization (token verification). */
    public Optional<App> findAppById(UUID id) {
        return db.client().execute().get(APP_QUERY + "WHERE a.id = ?", id).map(CredentialStore::app);
    }

    /** Up to {@code limit + 1} of the organization's active apps after {@code afterSeq}, oldest first. */
    public List<Listed<App>> listApps(UUID organizationId, long afterSeq, int limit) {
        try (Stream<DbRow> rows = db.client().execute().query(APP_QUERY + "WHERE a.organization_id = ? AND a.status = ? "
                + "AND a.seq > ? ORDER BY a.seq FETCH FIRST " + (limit + 1) + " ROWS ONLY", organizationId, ACTIVE, afterSeq)) {
            return rows.map(r -> new Listed<>(r.column("seq").getLong(), app(r))).toList();
        }
    }

    public long countApps(UUID organizationId) {
        return db.client().execute().get("SELECT COUNT(*) AS n FROM app WHERE organization_id = ? AND status = ?",
                organizationId, ACTIVE).orElseThrow().column("n").getLong();
    }

    private static User user(DbRow r) {
        return new User(r.column("id").get(UUID.class), r.column("organization_id").get(UUID.class),
                r.column("email").get(String.class), r.column("first_name").get(String.class),
                r.column("last_name").get(String.class), r.column("password_hash").get(String.class),
                r.column("status").get(String.class), r.column("password_change_required").get(Boolean.class),
                r.column("token_version").get(Integer.class), Timestamps.column(r, "created_at"),
                r.column("version").get(Long.class));
    }

    private static Client client(DbRow r) {
        return new Client(r.column("id").get(UUID.class), r.column("organization_id").get(UUID.class),
                r.column("name").get(String.class), r.column("secret_enforced").get(Boolean.class),
                r.column("scope").get(String.class), Timestamps.column(r, "created_at"), r.column("version").get(Long.class));
    }

    private static Key key(DbRow r) {
        return new Key(r.column("id").get(UUID.class), r.column("client_id").get(UUID.class),
                r.column("key_prefix").get(String.class), r.column("status").get(String.class),
                Timestamps.column(r, "created_at"), Timestamps.column(r, "last_used_at"),
                Timestamps.column(r, "revoked_at"));
    }

    private static App app(DbRow r) {
        UUID creatorId = r.column("u_id").get(UUID.class);
        Optional<User> creator = creatorId == null ? Optional.empty() : Optional.of(new User(creatorId,
                r.column("u_org").get(UUID.class), r.column("u_email").get(String.class),
                r.column("u_first").get(String.class), r.column("u_last").get(String.class), null,
                r.column("u_status").get(String.class), false, 0, Timestamps.column(r, "u_created"), 0));
        return new App(r.column("id").get(UUID.class), r.column("organization_id").get(UUID.class),
                r.column("name").get(String.class), r.column("client_id").get(String.class).trim(),
                r.column("secret_hash").get(String.class), r.column("status").get(String.class),
                r.column("token_version").get(Integer.class), Timestamps.column(r, "created_at"),
                Timestamps.column(r, "updated_at"), creator);
    }
}
