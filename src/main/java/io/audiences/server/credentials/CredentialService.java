package io.audiences.server.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import io.audiences.server.auth.Authenticator;
import io.audiences.server.auth.JwtCodec;
import io.audiences.server.auth.PasswordHasher;
import io.audiences.server.auth.Principal;
import io.audiences.server.auth.SecretHash;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.TenancyService;

import io.helidon.dbclient.DbExecute;

/**
 * Users, API clients and apps, and the verification of every credential they yield. Secrets leave this
 * class exactly once, in the result of the call that creates them.
 */
public final class CredentialService implements Authenticator {

    static final String KEY_PREFIX = "dlvr_";
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final Database db;
    private final CredentialStore store;
    private final TenancyService tenancy;
    private final JwtCodec jwt;
    private final Clock clock;

    public CredentialService(Database db, CredentialStore store, TenancyService tenancy, JwtCodec jwt, Clock clock) {
        this.db = db;
        this.store = store;
        this.tenancy = tenancy;
        this.jwt = jwt;
        this.clock = clock;
    }

    /** A freshly issued token. */
    public record Token(String token, Duration ttl, Principal principal) { }

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

    public Token login(String email, String password) {
        CredentialStore.User user = store.findUserByEmail(email.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new DomainException(DomainException.Kind.NOT_FOUND, "user_not_found", "User not found."));
        if (!PasswordHasher.verify(password, user.passwordHash())) {
            throw new DomainException(DomainException.Kind.UNAUTHENTICATED, "invalid_credentials", "Wrong email or password.");
        }
        requireActive(user.organizationId());
        Principal principal = new Principal(user.organizationId(), Principal.Kind.USER, user.id());
        return new Token(jwt.issue(principal), jwt.ttl(), principal);
    }

    public NewUser createUser(Principal caller, String email, String firstName, String lastName,
                              Optional<UUID> organizationId, Optional<String> password, TransactionHook<NewUser> hook) {
        Organization org = tenancy.organization(caller, organizationId.orElse(caller.organizationId()));
        tenancy.requireActive(org);
        return db.inTransaction(tx -> hook.apply(tx, createUser(tx, org.id(), email, firstName, lastName, password)));
    }

    /** Creates a user in a transaction of the caller's (bootstrap, demo). */
    public NewUser createUser(DbExecute tx, UUID organizationId, String email, String firstName, String lastName,
                              Optional<String> password) {
        String normalized = email.toLowerCase(Locale.ROOT);
        if (store.findUserByEmail(normalized).isPresent()) {
            throw DomainException.conflict("email_taken", "A user with this email already exists.");
        }
        Optional<String> generated = password.isPresent() ? Optional.empty() : Optional.of(Ids.hex(12));
        CredentialStore.User user = new CredentialStore.User(Ids.uuid(), organizationId, normalized, firstName, lastName,
                PasswordHasher.hash(password.orElseGet(generated::get)), clock.now());
        try {
            store.insertUser(tx, user);
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw DomainException.conflict("email_taken", "A user with this email already exists.");
            }
            throw e;
        }
        return new NewUser(user, generated);
    }

    // ---- API clients and keys

    public NewClient createClient(Principal caller, String name, boolean secretEnforced, TransactionHook<NewClient> hook) {
        return db.inTransaction(tx -> hook.apply(tx, createClient(tx, caller.organizationId(), name, secretEnforced)));
    }

    /** Creates an API client in a transaction of the caller's (demo). */
    public NewClient createClient(DbExecute tx, UUID organizationId, String name, boolean secretEnforced) {
        CredentialStore.Client client = new CredentialStore.Client(Ids.uuid(), organizationId, name, secretEnforced, clock.now());
        store.insertClient(tx, client);
        return new NewClient(client, newKey(tx, client.id(), List.of()));
    }

    public List<CredentialStore.Client> clients(Principal caller) {
        return store.listClients(caller.organizationId());
    }

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
            }
            return hook.apply(tx, newKey(tx, client.id(), revoked));
        });
    }

    public void revokeKey(Principal caller, UUID clientId, UUID keyId) {
        CredentialStore.Client client = client(caller, clientId);
        boolean exists = db.inTransaction(tx -> store.revokeKey(tx, client.id(), keyId, clock.now()));
        if (!exists) {
            throw DomainException.notFound("API key");
        }
    }

    public void deleteClient(Principal caller, UUID clientId) {
        CredentialStore.Client client = client(caller, clientId);
        db.inTransaction(tx -> {
            store.deleteClient(tx, client.id(), clock.now());
            return null;
        });
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
                SecretHash.sha256(secret), CredentialStore.ACTIVE, now, now, Optional.empty());
        Optional<UUID> creator = caller.kind() == Principal.Kind.USER ? Optional.of(caller.subjectId()) : Optional.empty();
        return db.inTransaction(tx -> {
            store.insertApp(tx, app, creator);
            return hook.apply(tx, new NewApp(app, secret));
        });
    }

    public List<CredentialStore.App> apps(Principal caller) {
        return store.listApps(caller.organizationId());
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
                .orElseThrow(() -> DomainException.unauthenticated("Invalid app credentials."));
        requireActive(app.organizationId());
        Principal principal = new Principal(app.organizationId(), Principal.Kind.APP, app.id());
        return new Token(jwt.issue(principal), jwt.ttl(), principal);
    }

    // ---- verification (Authenticator)

    @Override
    public Principal bearer(String token) {
        Principal principal = jwt.verify(token);
        // One read answers both checks (the subject, then its organization), on every request.
        CredentialStore.Subject subject = store.findSubject(principal.kind(), principal.subjectId())
                .filter(s -> s.organizationId().equals(principal.organizationId()) && s.active())
                .orElseThrow(() -> DomainException.unauthenticated("The token's user or app no longer exists."));
        if (!subject.organizationActive()) {
            throw organizationInactive();
        }
        return principal;
    }

    @Override
    public Principal apiKey(String key, Optional<String> secret) {
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
        Instant now = clock.now();
        if (credential.lastUsedAt() == null || credential.lastUsedAt().plus(LAST_USED_GRANULARITY).isBefore(now)) {
            store.touchKey(credential.keyId(), now);
        }
        return new Principal(credential.organizationId(), Principal.Kind.API_KEY, credential.clientId());
    }

    private void requireActive(UUID organizationId) {
        if (!tenancy.isEffectivelyActive(organizationId)) {
            throw organizationInactive();
        }
    }

    private static DomainException organizationInactive() {
        return new DomainException(DomainException.Kind.UNAUTHENTICATED, "organization_inactive",
                "The organization is inactive.");
    }
}
