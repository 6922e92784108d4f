package io.audiences.server.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.audiences.server.audit.AuditLog;
import io.audiences.server.auth.Authenticator;
import io.audiences.server.auth.JwtCodec;
import io.audiences.server.auth.PasswordHasher;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.EmailAddress;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.SecretHash;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.signin.SignInEvents;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Quotas;
import io.audiences.server.tenancy.TenancyService;

import io.helidon.dbclient.DbExecute;

/**
 * Users, API clients and apps, and the verification of every credential they yield. Secrets leave this
 * class exactly once, in the result of the call that creates them.
 */
public final class CredentialService implements Authenticator, TenancyService.DeactivationListener {

    static final String KEY_PREFIX = "dlvr_";
    static final String READ_WRITE = "read_write";
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final Database db;
    private final CredentialStore store;
    private final SignInAudit signInAudit;
    private final TenancyService tenancy;
    private final JwtCodec jwt;
    private final Clock clock;
    private final AuditLog audit;
    private final CredentialCache cache;

    public CredentialService(Database db, CredentialStore store, TenancyService tenancy, JwtCodec jwt, Clock clock,
                             AuditLog audit, CredentialCache cache) {
        this.db = db;
        this.cache = cache;
        this.store = store;
        this.tenancy = tenancy;
        this.jwt = jwt;
        this.clock = clock;
        this.audit = audit;
        this.signInAudit = new SignInAudit(store, audit, clock);
    }

    /** Where the sign-in throttle reports refused attempts: the audit log of the account's organization. */
    public SignInEvents signInAudit() {
        return signInAudit;
    }

    /** A freshly issued token; {@code passwordChangeRequired} when it may only replace a one-time password. */
    public record Token(String token, Duration ttl, Principal principal, boolean passwordChangeRequired) { }

    /** A new user, with the generated password if none was supplied. */
    public record NewUser(CredentialStore.User user, Optional<String> generatedPassword) { }

    /** A new key pair; the plaintext exists only in this object. */
    public record NewKey(UUID keyId, UUID clientId, String apiKey, String apiSecret, String prefix, Instant createdAt,
                         List<UUID> revokedKeyIds) { }

    /** A new API client with its first key. */
    public record NewClient(CredentialStore.Client client, NewKey key) { }

    /** A new app; the plaintext secret exists only in this object. */
    public record NewApp(CredentialStore.App app, String clientSecret) { }

    // ---- users and login

    /**
     * An unknown email and a wrong password get the same answer after the same work: without a user the password is
     * checked against a hash of nothing anyone knows, so neither the code nor the time tells which emails exist.
     */
    public Token login(String email, String password) {
        Optional<CredentialStore.User> found = store.findUserByEmail(email.toLowerCase(Locale.ROOT));
        // An unknown email costs one Argon2id check too, so the answer and its timing do not tell which it was.
        boolean matches = PasswordHasher.verify(password, found.map(CredentialStore.User::passwordHash).orElseGet(DummyHash::get));
        if (found.isPresent() && !matches) {
            audit.record(found.get().organizationId(), "user.sign_in_failed", "user", found.get().id(),
                    Map.of("reason", "wrong_password"));
        }
        CredentialStore.User user = found.filter(u -> matches).orElseThrow(CredentialService::invalidCredentials);
        if (!CredentialStore.ACTIVE.equals(user.status())) {
            throw new DomainException(DomainException.Kind.UNAUTHENTICATED, ErrorCode.USER_DISABLED, "The user is disabled.");
        }
        requireActive(user.organizationId());
        Principal principal = new Principal(user.organizationId(), Principal.Kind.USER, user.id());
        return new Token(jwt.issue(principal, user.tokenVersion()), jwt.ttl(), principal, user.passwordChangeRequired());
    }

    public NewUser createUser(Principal caller, String email, String firstName, String lastName,
                              Optional<UUID> organizationId, Optional<String> password, TransactionHook<NewUser> hook) {
        Organization org = tenancy.organization(caller, organizationId.orElse(caller.organizationId()));
        tenancy.requireActive(org);
        return db.inTransaction(tx -> {
            NewUser created = createUser(tx, org.id(), email, firstName, lastName, password);
            audit.record(tx, org.id(), "user.created", "user", created.user().id(),
                    Map.of("email", created.user().email(), "one_time_password", Boolean.toString(password.isEmpty())));
            return hook.apply(tx, created);
        });
    }

    /**
     * Creates a user in a transaction of the caller's (bootstrap, demo). Without a password one is generated: a
     * one-time password, which the user must replace before its tokens can do anything else.
     */
    public NewUser createUser(DbExecute tx, UUID organizationId, String email, String firstName, String lastName,
                              Optional<String> password) {
        if (!EmailAddress.isValid(email)) {
            throw DomainException.invalid(ErrorCode.VALIDATION_FAILED, "/email", "not an email address");
        }
        tenancy.requireQuota(tx, organizationId, Quotas.Resource.USERS);
        String normalized = email.toLowerCase(Locale.ROOT);
        if (store.findUserByEmail(normalized).isPresent()) {
            throw DomainException.conflict(ErrorCode.EMAIL_TAKEN, "A user with this email already exists.");
        }
        Optional<String> generated = password.isPresent() ? Optional.empty() : Optional.of(Ids.hex(12));
        CredentialStore.User user = new CredentialStore.User(Ids.uuid(), organizationId, normalized, firstName, lastName,
                PasswordHasher.hash(password.orElseGet(generated::get)), CredentialStore.ACTIVE, generated.isPresent(), 0,
                clock.now(), 0);
        try {
            store.insertUser(tx, user);
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw DomainException.conflict(ErrorCode.EMAIL_TAKEN, "A user with this email already exists.");
            }
            throw e;
        }
        return new NewUser(user, generated);
    }

    /** Changes the calling user's password; every token issued to the user before (this one too) ends. */
    public void changePassword(Principal caller, String currentPassword, String newPassword) {
        if (caller.kind() != Principal.Kind.USER) {
            throw userRequired();
        }
        CredentialStore.User user = store.findUser(caller.organizationId(), caller.subjectId())
                .orElseThrow(() -> DomainException.unauthenticated("The token's user no longer exists."));
        if (!PasswordHasher.verify(currentPassword, user.passwordHash())) {
            throw DomainException.invalid(ErrorCode.INVALID_CURRENT_PASSWORD, "/current_password", "The current password is wrong.");
        }
        if (newPassword.equals(currentPassword)) {
            throw DomainException.invalid(ErrorCode.PASSWORD_UNCHANGED, "/new_password",
                    "The new password must differ from the current one.");
        }
        String hash = PasswordHasher.hash(newPassword);
        db.inTransaction(tx -> {
            store.setPassword(tx, user.id(), hash);
            cache.revoked(tx);
            audit.record(tx, user.organizationId(), "user.password_changed", "user", user.id(), Map.of());
            return null;
        });
    }

    /** Ends every token of the calling user. */
    public void logout(Principal caller) {
        if (caller.kind() != Principal.Kind.USER) {
            throw userRequired();
        }
        db.inTransaction(tx -> {
            store.endUserTokens(tx, caller.subjectId());
            cache.revoked(tx);
            audit.record(tx, caller.organizationId(), "user.logged_out", "user", caller.subjectId(), Map.of());
            return null;
        });
    }

    /**
     * Disables or enables a user of the caller's subtree; disabling ends its tokens. With {@code ifMatch}, only the
     * version it names (412 {@code precondition_failed} otherwise).
     */
    public CredentialStore.User setUserStatus(Principal caller, UUID userId, String status, Optional<String> ifMatch) {
        CredentialStore.User user = manageableUser(caller, userId);
        Preconditions.require(ifMatch, user.etag(), "user");
        db.inTransaction(tx -> {
            if (!store.setUserStatus(tx, user.id(), status, expected(ifMatch, user.version()))) {
                throw staleUser(caller, userId);
            }
            cache.revoked(tx);
            audit.record(tx, user.organizationId(), CredentialStore.ACTIVE.equals(status) ? "user.enabled" : "user.disabled",
                    "user", user.id(), Map.of());
            return null;
        });
        return store.findUser(caller.organizationId(), userId).orElseThrow(() -> DomainException.notFound("User"));
    }

    /** Deletes a user of the caller's subtree: its tokens end and its personal data is erased. If-Match as above. */
    public void deleteUser(Principal caller, UUID userId, Optional<String> ifMatch) {
        CredentialStore.User user = manageableUser(caller, userId);
        Preconditions.require(ifMatch, user.etag(), "user");
        db.inTransaction(tx -> {
            if (!store.deleteUser(tx, user.id(), expected(ifMatch, user.version()))) {
                throw staleUser(caller, userId);
            }
            cache.revoked(tx);
            audit.record(tx, user.organizationId(), "user.deleted", "user", user.id(), Map.of());
            return null;
        });
    }

    /** A conditional write that found another version than the one checked: changed (412) or deleted (404) meanwhile. */
    private DomainException staleUser(Principal caller, UUID userId) {
        return store.findUser(caller.organizationId(), userId).map(u -> Preconditions.failed("user", u.etag()))
                .orElseGet(() -> DomainException.notFound("User"));
    }

    /** The version a write under {@code If-Match} must still find (the one checked); unconditional without one. */
    private static OptionalLong expected(Optional<String> ifMatch, long checkedVersion) {
        return ifMatch.isPresent() ? OptionalLong.of(checkedVersion) : OptionalLong.empty();
    }

    private CredentialStore.User manageableUser(Principal caller, UUID userId) {
        CredentialStore.User user = store.findUser(caller.organizationId(), userId)
                .orElseThrow(() -> DomainException.notFound("User"));
        if (caller.kind() == Principal.Kind.USER && caller.subjectId().equals(user.id())) {
            throw DomainException.conflict(ErrorCode.OWN_USER, "A user cannot disable or delete itself.");
        }
        return user;
    }

    private static DomainException userRequired() {
        return new DomainException(DomainException.Kind.FORBIDDEN, ErrorCode.USER_REQUIRED, "Only a user's token can do this.");
    }

    // ---- API clients and keys

    public NewClient createClient(Principal caller, String name, boolean secretEnforced, String scope,
                                  TransactionHook<NewClient> hook) {
        return db.inTransaction(tx -> {
            NewClient created = createClient(tx, caller.organizationId(), name, secretEnforced, scope);
            audit.record(tx, caller.organizationId(), "api_client.created", "api_client", created.client().id(),
                    Map.of("name", name, "scope", scope, "secret_enforced", Boolean.toString(secretEnforced),
                            "key_id", created.key().keyId().toString(), "key_prefix", created.key().prefix()));
            return hook.apply(tx, created);
        });
    }

    /** Creates an API client in a transaction of the caller's (demo). */
    public NewClient createClient(DbExecute tx, UUID organizationId, String name, boolean secretEnforced, String scope) {
        tenancy.requireQuota(tx, organizationId, Quotas.Resource.API_CLIENTS);
        CredentialStore.Client client = new CredentialStore.Client(Ids.uuid(), organizationId, name, secretEnforced, scope,
                clock.now(), 0);
        store.insertClient(tx, client);
        return new NewClient(client, newKey(tx, client.id(), List.of()));
    }

    /** A page of the caller's API clients, and how many there are in all. */
    public Listing<CredentialStore.Client> clients(Principal caller, Optional<String> cursor, int limit) {
        return new Listing<>(Page.of(store.listClients(caller.organizationId(), Page.after(cursor), limit), limit,
                CredentialStore.Listed::seq).map(CredentialStore.Listed::row), store.countClients(caller.organizationId()));
    }

    /** A page of a list and the size of the whole list (Delivr's {@code total}). */
    public record Listing<T>(Page<T> page, long total) { }

    public List<CredentialStore.Key> keys(Principal caller) {
        return store.listKeys(caller.organizationId());
    }

    public NewKey rotateKey(Principal caller, UUID clientId, boolean revokeExisting, TransactionHook<NewKey> hook) {
        CredentialStore.Client client = client(caller, clientId);
        return db.inTransaction(tx -> {
            List<UUID> revoked = new ArrayList<>();
            if (revokeExisting) {
                Instant now = clock.now();
                for (UUID keyId : store.activeKeyIds(tx, client.id())) {
                    store.revokeKey(tx, client.id(), keyId, now);
                    revoked.add(keyId);
                }
                cache.revoked(tx);
            }
            NewKey key = newKey(tx, client.id(), revoked);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("key_id", key.keyId().toString());
            details.put("key_prefix", key.prefix());
            if (!revoked.isEmpty()) {
                details.put("revoked_key_ids", String.join(",", revoked.stream().map(UUID::toString).toList()));
            }
            audit.record(tx, client.organizationId(), "api_key.rotated", "api_client", client.id(), details);
            return hook.apply(tx, key);
        });
    }

    public void revokeKey(Principal caller, UUID clientId, UUID keyId) {
        CredentialStore.Client client = client(caller, clientId);
        boolean exists = db.inTransaction(tx -> {
            boolean found = store.revokeKey(tx, client.id(), keyId, clock.now());
            if (found) {
                cache.revoked(tx);
                audit.record(tx, client.organizationId(), "api_key.revoked", "api_client", client.id(),
                        Map.of("key_id", keyId.toString()));
            }
            return found;
        });
        if (!exists) {
            throw DomainException.notFound("API key");
        }
    }

    /** Turns secret enforcement on or off; the next request presenting one of the client's keys sees the change. */
    public CredentialStore.Client updateSecretEnforced(Principal caller, UUID clientId, boolean secretEnforced,
                                                      Optional<String> ifMatch) {
        CredentialStore.Client client = client(caller, clientId);
        Preconditions.require(ifMatch, client.etag(), "API client");
        return db.inTransaction(tx -> {
            if (!store.updateSecretEnforced(tx, client.id(), secretEnforced, expected(ifMatch, client.version()))) {
                throw staleClient(caller, clientId);
            }
            // Enforcing the secret withdraws key-only access that every instance may have cached as accepted.
            cache.revoked(tx);
            audit.record(tx, client.organizationId(), "api_client.updated", "api_client", client.id(),
                    Map.of("secret_enforced", Boolean.toString(secretEnforced)));
            return new CredentialStore.Client(client.id(), client.organizationId(), client.name(), secretEnforced,
                    client.scope(), client.createdAt(), client.version() + 1);
        });
    }

    /** Deletes an API client and revokes its keys; with {@code ifMatch}, only the version it names (412 otherwise). */
    public void deleteClient(Principal caller, UUID clientId, Optional<String> ifMatch) {
        CredentialStore.Client client = client(caller, clientId);
        Preconditions.require(ifMatch, client.etag(), "API client");
        db.inTransaction(tx -> {
            if (!store.deleteClient(tx, client.id(), clock.now(), expected(ifMatch, client.version()))) {
                throw staleClient(caller, clientId);
            }
            cache.revoked(tx);
            audit.record(tx, client.organizationId(), "api_client.deleted", "api_client", client.id(),
                    Map.of("name", client.name()));
            return null;
        });
    }

    private DomainException staleClient(Principal caller, UUID clientId) {
        return store.findClient(caller.organizationId(), clientId).map(c -> Preconditions.failed("API client", c.etag()))
                .orElseGet(() -> DomainException.notFound("API client"));
    }

    private CredentialStore.Client client(Principal caller, UUID clientId) {
        return store.findClient(caller.organizationId(), clientId).orElseThrow(() -> DomainException.notFound("API client"));
    }

    private NewKey newKey(DbExecute tx, UUID clientId, List<UUID> revoked) {
        String apiKey = KEY_PREFIX + Ids.hex(20);
        String apiSecret = Ids.hex(32);
        String prefix = apiKey.substring(0, KEY_PREFIX.length() + 7) + "...";
        UUID keyId = Ids.uuid();
        Instant now = clock.now();
        store.insertKey(tx, keyId, clientId, SecretHash.sha256(apiKey), prefix, SecretHash.sha256(apiSecret), now);
        return new NewKey(keyId, clientId, apiKey, apiSecret, prefix, now, List.copyOf(revoked));
    }

    // ---- apps

    public NewApp createApp(Principal caller, String name, TransactionHook<NewApp> hook) {
        String clientId = "client_" + Ids.hex(8);
        String secret = "secret_" + Ids.hex(24);
        Instant now = clock.now();
        CredentialStore.App app = new CredentialStore.App(Ids.uuid(), caller.organizationId(), name, clientId,
                SecretHash.sha256(secret), CredentialStore.ACTIVE, 0, now, now, Optional.empty());
        Optional<UUID> creator = caller.kind() == Principal.Kind.USER ? Optional.of(caller.subjectId()) : Optional.empty();
        return db.inTransaction(tx -> {
            tenancy.requireQuota(tx, caller.organizationId(), Quotas.Resource.APPS);
            store.insertApp(tx, app, creator);
            audit.record(tx, app.organizationId(), "app.created", "app", app.id(), Map.of("name", name, "client_id", clientId));
            return hook.apply(tx, new NewApp(app, secret));
        });
    }

    /** Deletes (revokes) an app for good: its secret and every token issued to it are refused from now on. */
    public void deleteApp(Principal caller, UUID appId, Optional<String> ifMatch) {
        CredentialStore.App app = app(caller, appId);
        Preconditions.require(ifMatch, app.etag(), "app");
        boolean deleted = db.inTransaction(tx -> {
            boolean found = store.revokeApp(tx, app.id(), clock.now(),
                    expected(ifMatch, app.tokenVersion()));
            if (found) {
                cache.revoked(tx);
                audit.record(tx, app.organizationId(), "app.deleted", "app", app.id(), Map.of("client_id", app.clientId()));
            }
            return found;
        });
        if (!deleted) {
            // Gone meanwhile (404), or, under If-Match, rotated meanwhile (412).
            throw ifMatch.isPresent() ? Preconditions.failed("app", app(caller, appId).etag()) : DomainException.notFound("App");
        }
    }

    /** A new secret for an active app; the old secret and every token issued before are refused from now on. */
    public NewApp rotateAppSecret(Principal caller, UUID appId, TransactionHook<NewApp> hook) {
        CredentialStore.App app = app(caller, appId);
        String secret = "secret_" + Ids.hex(24);
        return db.inTransaction(tx -> {
            if (!store.rotateAppSecret(tx, app.id(), SecretHash.sha256(secret), clock.now())) {
                throw DomainException.notFound("App");
            }
            cache.revoked(tx);
            audit.record(tx, app.organizationId(), "app.secret_rotated", "app", app.id(), Map.of("client_id", app.clientId()));
            return hook.apply(tx, new NewApp(store.findApp(tx, app.organizationId(), app.id()).orElseThrow(), secret));
        });
    }

    /** A page of the caller's active apps, and how many there are in all. */
    public Listing<CredentialStore.App> apps(Principal caller, Optional<String> cursor, int limit) {
        return new Listing<>(Page.of(store.listApps(caller.organizationId(), Page.after(cursor), limit), limit,
                CredentialStore.Listed::seq).map(CredentialStore.Listed::row), store.countApps(caller.organizationId()));
    }

    public CredentialStore.App app(Principal caller, UUID appId) {
        return store.findApp(caller.organizationId(), appId).orElseThrow(() -> DomainException.notFound("App"));
    }

    /** Client-credentials exchange: the secret is compared by hash, in constant time. */
    public Token issueAppToken(Optional<String> clientId, Optional<String> clientSecret) {
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            throw DomainException.unauthenticated("Send X-Delivr-Client-ID and X-Delivr-Client-Secret.");
        }
        CredentialStore.App app = store.findAppByClientId(clientId.get())
                .filter(a -> SecretHash.matches(clientSecret.get(), a.secretHash()))
                .filter(a -> CredentialStore.ACTIVE.equals(a.status()))
                .orElseThrow(CredentialService::invalidCredentials);
        requireActive(app.organizationId());
        Principal principal = new Principal(app.organizationId(), Principal.Kind.APP, app.id());
        return new Token(jwt.issue(principal, app.tokenVersion()), jwt.ttl(), principal, false);
    }

    // ---- verification (Authenticator)

    @Override
    public Authenticated bearer(String token) {
        // The signature and claims of a token seen recently are not checked again, its expiry is.
        JwtCodec.Verified verified = cache.token(token, () -> jwt.verify(token));
        if (!verified.expiresAt().isAfter(clock.now())) {
            throw DomainException.unauthenticated("The token has expired.");
        }
        Principal principal = verified.principal();
        // One read answers every check (the subject, its token version, then its organization), unless the subject
        // was accepted recently and nothing was revoked since (CredentialCache): this is the one place where a
        // revoked, disabled, deleted or logged-out credential is refused.
        CredentialStore.Subject subject = cache.subject(principal.kind(), principal.subjectId(),
                        () -> store.findSubject(principal.kind(), principal.subjectId()),
                        s -> s.active() && s.organizationActive())
                .filter(s -> s.organizationId().equals(principal.organizationId()) && s.active())
                .orElseThrow(() -> DomainException.unauthenticated("The token's user or app no longer exists or is disabled."));
        if (subject.tokenVersion() != verified.tokenVersion()) {
            throw DomainException.unauthenticated("The token was revoked (logout, password change or secret rotation).");
        }
        if (!subject.organizationActive()) {
            throw organizationInactive();
        }
        return new Authenticated(principal, subject.tenantId(), verified.tokenId(), READ_WRITE,
                subject.passwordChangeRequired());
    }

    /**
     * An accepted API key pair, as cached: {@code lastUsed} is when its use was last recorded (shared by the requests
     * that find it in the cache, so the key is touched at most once a minute however it was verified).
     */
    record VerifiedKey(Authenticated authenticated, UUID keyId, AtomicReference<Instant> lastUsed) { }

    @Override
    public Authenticated apiKey(String key, Optional<String> secret) {
        VerifiedKey verified = cache.apiKey(key, secret, () -> verifyApiKey(key, secret));
        Instant now = clock.now();
        Instant last = verified.lastUsed().get();
        if ((last == null || last.plus(LAST_USED_GRANULARITY).isBefore(now)) && verified.lastUsed().compareAndSet(last, now)) {
            store.touchKey(verified.keyId(), now);
        }
        return verified.authenticated();
    }

    private VerifiedKey verifyApiKey(String key, Optional<String> secret) {
        CredentialStore.KeyCredential credential = store.findKeyCredential(SecretHash.sha256(key))
                .filter(k -> CredentialStore.ACTIVE.equals(k.status()) && !k.clientDeleted())
                .orElseThrow(() -> DomainException.unauthenticated("The API key is invalid or revoked."));
        if (secret.isPresent()) {
            if (!SecretHash.matches(secret.get(), credential.secretHash())) {
                throw DomainException.unauthenticated("The API secret does not match the API key.");
            }
        } else if (credential.secretEnforced()) {
            throw DomainException.unauthenticated("This API client enforces its secret: send X-Api-Secret with X-Api-Key.");
        }
        if (!credential.organizationActive()) {
            throw organizationInactive();
        }
        return new VerifiedKey(new Authenticated(new Principal(credential.organizationId(), Principal.Kind.API_KEY,
                credential.clientId()), credential.tenantId(), credential.keyId().toString(), credential.scope(), false),
                credential.keyId(), new AtomicReference<>(credential.lastUsedAt()));
    }

    // ---- organizations made inactive (TenancyService.DeactivationListener): their credentials are refused

    @Override
    public void organizationDeactivated(DbExecute tx, UUID organizationId) {
        cache.revoked(tx);
    }

    @Override
    public void projectDeactivated(DbExecute tx, UUID projectId) {
        // A credential does not depend on a project's state (reads check it themselves).
    }

    @Override
    public void appCredentials(Principal caller, Optional<String> clientId, Optional<String> clientSecret) {
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            throw new DomainException(DomainException.Kind.UNAUTHENTICATED, ErrorCode.APP_CREDENTIALS_REQUIRED,
                    "Send X-Delivr-Client-ID and X-Delivr-Client-Secret beside the Bearer token.");
        }
        // The same checks as the client-credentials exchange (hash compared in constant time, active app), plus
        // the app's organization: another tenant's valid pair must not pass beside this token.
        store.findAppByClientId(clientId.get())
                .filter(a -> SecretHash.matches(clientSecret.get(), a.secretHash()))
                .filter(a -> CredentialStore.ACTIVE.equals(a.status()))
                .filter(a -> a.organizationId().equals(caller.organizationId()))
                .orElseThrow(() -> new DomainException(DomainException.Kind.UNAUTHENTICATED, ErrorCode.INVALID_APP_CREDENTIALS,
                        "The app credentials are wrong, revoked or not of this token's organization."));
    }

    private static DomainException invalidCredentials() {
        return new DomainException(DomainException.Kind.UNAUTHENTICATED, ErrorCode.INVALID_CREDENTIALS, "Wrong credentials.");
    }

    /** A hash of a random password, made once: what an unknown email's password is checked against. */
    private static final class DummyHash {
        private static final String HASH = PasswordHasher.hash(Ids.hex(16));

        static String get() {
            return HASH;
        }
    }

    private void requireActive(UUID organizationId) {
        if (!tenancy.isEffectivelyActive(organizationId)) {
            throw organizationInactive();
        }
    }

    private static DomainException organizationInactive() {
        return new DomainException(DomainException.Kind.UNAUTHENTICATED, ErrorCode.ORGANIZATION_INACTIVE,
                "The organization is inactive.");
    }
}
