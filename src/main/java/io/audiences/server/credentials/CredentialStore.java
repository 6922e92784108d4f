package io.audiences.server.credentials;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.auth.Principal;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.tenancy.TenancyStore;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of users, API clients, API keys and apps. Only hashes of secrets ever reach these tables. */
public final class CredentialStore {

    static final String ACTIVE = "active";
    static final String REVOKED = "revoked";

    private final Database db;

    public CredentialStore(Database db) {
        this.db = db;
    }

    /** A stored user. */
    public record User(UUID id, UUID organizationId, String email, String firstName, String lastName,
                       String passwordHash, Instant createdAt) { }

    /** What authenticating an API key needs, in one row. */
    public record KeyCredential(UUID keyId, UUID clientId, UUID organizationId, String secretHash, String status,
                                boolean clientDeleted, boolean secretEnforced, Instant lastUsedAt,
                                boolean organizationActive) { }

    /**
     * What verifying a token's subject needs, in one row: its organization, whether the subject itself is active
     * (users always are; apps have a status) and whether its organization is effectively active.
     */
    public record Subject(UUID organizationId, boolean active, boolean organizationActive) { }

    /** A stored API key as listed. */
    public record Key(UUID id, UUID clientId, String prefix, String status, Instant createdAt, Instant lastUsedAt,
                      Instant revokedAt) { }

    /** A stored API client. */
    public record Client(UUID id, UUID organizationId, String name, boolean secretEnforced, Instant createdAt) { }

    /** A stored app with its creator, if any. */
    public record App(UUID id, UUID organizationId, String name, String clientId, String secretHash, String status,
                      Instant createdAt, Instant updatedAt, Optional<User> creator) { }

    public void insertUser(DbExecute tx, User u) {
        tx.insert("INSERT INTO app_user (id, organization_id, email, first_name, last_name, password_hash, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                u.id(), u.organizationId(), u.email(), u.firstName(), u.lastName(), u.passwordHash(),
                Timestamps.param(u.createdAt()));
    }

    public Optional<User> findUserByEmail(String email) {
        return db.client().execute().get("SELECT * FROM app_user WHERE email = ?", email).map(CredentialStore::user);
    }

    public Optional<User> findUser(UUID id) {
        return db.client().execute().get("SELECT * FROM app_user WHERE id = ?", id).map(CredentialStore::user);
    }

    public void insertClient(DbExecute tx, Client c) {
        tx.insert("INSERT INTO api_client (id, organization_id, name, secret_enforced, created_at) VALUES (?, ?, ?, ?, ?)",
                c.id(), c.organizationId(), c.name(), c.secretEnforced(), Timestamps.param(c.createdAt()));
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

    public List<Client> listClients(UUID organizationId) {
        try (Stream<DbRow> rows = db.client().execute().query(
                "SELECT * FROM api_client WHERE organization_id = ? AND deleted_at IS NULL ORDER BY seq", organizationId)) {
            return rows.map(CredentialStore::client).toList();
        }
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

    public void deleteClient(DbExecute tx, UUID clientId, Instant now) {
        tx.update("UPDATE api_client SET deleted_at = ? WHERE id = ?", Timestamps.param(now), clientId);
        tx.update("UPDATE api_key SET status = ?, revoked_at = ? WHERE client_id = ? AND status = ?",
                REVOKED, Timestamps.param(now), clientId, ACTIVE);
    }

    public Optional<KeyCredential> findKeyCredential(String keyHash) {
        return db.client().execute().get("SELECT k.id, k.client_id, k.secret_hash, k.status, k.last_used_at, "
                + "c.organization_id, c.secret_enforced, c.deleted_at, "
                + TenancyStore.effectivelyActive("c.organization_id") + " AS org_active "
                + "FROM api_key k JOIN api_client c ON c.id = k.client_id "
                + "WHERE k.key_hash = ?", keyHash).map(r -> new KeyCredential(
                r.column("id").get(UUID.class), r.column("client_id").get(UUID.class),
                r.column("organization_id").get(UUID.class), r.column("secret_hash").get(String.class),
                r.column("status").get(String.class), r.column("deleted_at").asOptional().isPresent(),
                r.column("secret_enforced").get(Boolean.class), Timestamps.column(r, "last_used_at"),
                r.column("org_active").get(Boolean.class)));
    }

    /** The user or app a token names, read on every authenticated request (one round trip). */
    public Optional<Subject> findSubject(Principal.Kind kind, UUID id) {
        String sql = switch (kind) {
            case USER -> "SELECT u.organization_id, TRUE AS active, " + TenancyStore.effectivelyActive("u.organization_id")
                    + " AS org_active FROM app_user u WHERE u.id = ?";
            case APP -> "SELECT a.organization_id, a.status = '" + ACTIVE + "' AS active, "
                    + TenancyStore.effectivelyActive("a.organization_id") + " AS org_active FROM app a WHERE a.id = ?";
            case API_KEY -> null;
        };
        if (sql == null) {
            return Optional.empty();
        }
        return db.client().execute().get(sql, id).map(r -> new Subject(r.column("organization_id").get(UUID.class),
                r.column("active").get(Boolean.class), r.column("org_active").get(Boolean.class)));
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

    private static final String APP_QUERY = "SELECT a.*, u.id AS u_id, u.organization_id AS u_org, u.email AS u_email, "
            + "u.first_name AS u_first, u.last_name AS u_last, u.created_at AS u_created "
            + "FROM app a LEFT JOIN app_user u ON u.id = a.created_by ";

    public Optional<App> findApp(UUID organizationId, UUID id) {
        return db.client().execute().get(APP_QUERY + "WHERE a.id = ? AND a.organization_id = ?", id, organizationId)
                .map(CredentialStore::app);
    }

    public Optional<App> findAppByClientId(String clientId) {
        return db.client().execute().get(APP_QUERY + "WHERE a.client_id = ?", clientId).map(CredentialStore::app);
    }

    /** The app by id regardless of organization (token verification). */
    public Optional<App> findAppById(UUID id) {
        return db.client().execute().get(APP_QUERY + "WHERE a.id = ?", id).map(CredentialStore::app);
    }

    public List<App> listApps(UUID organizationId) {
        try (Stream<DbRow> rows = db.client().execute().query(APP_QUERY + "WHERE a.organization_id = ? ORDER BY a.seq",
                organizationId)) {
            return rows.map(CredentialStore::app).toList();
        }
    }

    private static User user(DbRow r) {
        return new User(r.column("id").get(UUID.class), r.column("organization_id").get(UUID.class),
                r.column("email").get(String.class), r.column("first_name").get(String.class),
                r.column("last_name").get(String.class), r.column("password_hash").get(String.class),
                Timestamps.column(r, "created_at"));
    }

    private static Client client(DbRow r) {
        return new Client(r.column("id").get(UUID.class), r.column("organization_id").get(UUID.class),
                r.column("name").get(String.class), r.column("secret_enforced").get(Boolean.class),
                Timestamps.column(r, "created_at"));
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
                Timestamps.column(r, "u_created")));
        return new App(r.column("id").get(UUID.class), r.column("organization_id").get(UUID.class),
                r.column("name").get(String.class), r.column("client_id").get(String.class).trim(),
                r.column("secret_hash").get(String.class), r.column("status").get(String.class),
                Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"), creator);
    }
}
