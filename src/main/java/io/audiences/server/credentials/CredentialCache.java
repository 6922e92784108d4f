package io.audiences.server.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.audiences.server.auth.JwtCodec;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.PgListener;
import io.audiences.server.platform.Principal;

import io.helidon.dbclient.DbExecute;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Credentials verified recently, so that a request presenting one needs no database round trip to be authenticated,
 * without weakening revocation: every transaction that withdraws a credential (a revoked key, a deleted client, a
 * disabled or deleted user, a password change or logout, a deleted or rotated app, an organization made inactive)
 * calls {@link #revoked}, and every instance drops everything it cached before it answers its next request.
 *
 * <p>How instances hear of it. On PostgreSQL, {@code revoked} sends a notification on the
 * {@value #CHANNEL} channel in the revoking transaction; each instance listens on a dedicated connection
 * ({@link PgListener}) and empties its cache when one arrives. The revoking instance empties its own at commit and
 * then waits (at most {@value #ECHO_WAIT_MILLIS} ms) until its listener has heard the notification too, so by the
 * time the revoking request is answered PostgreSQL has delivered it to every listening session. Fail closed: while
 * the listening connection is down (lost, terminated, not yet open) the cache is empty and bypassed, every request
 * reads the database; a reconnection empties it again, since notifications sent meanwhile were lost. On the embedded
 * database (one process) the cache is emptied in-process at commit.
 *
 * <p>Only accepted credentials are cached, so re-enabling something needs no notification. A load that raced with a
 * revocation is never kept: a generation counter, raised by every invalidation, is read before the database read and
 * checked after the entry is stored (then the entry is removed again). Entries also expire after {@code maxAge}.
 * An API key entry is keyed by an HMAC (with a key of this process, never stored) of the key and the presented secret,
 * so neither plaintext is kept and a different secret is a miss that the database check refuses.
 */
public final class CredentialCache implements AutoCloseable {

    static final String CHANNEL = "credentials_revoked";
    private static final long ECHO_WAIT_MILLIS = 1000;

    private final Cache<String, JwtCodec.Verified> tokens;
    private final Cache<SubjectKey, CredentialStore.Subject> subjects;
    private final Cache<String, CredentialService.VerifiedKey> keys;
    private final AtomicLong generation = new AtomicLong();
    /** Keyed with this instance's random key; each use works on a clone (a Mac is not thread-safe, and cloning one is
     *  much cheaper than looking a new one up: {@code Mac.getInstance} was 5 % of an authenticated read's CPU). */
    private final Mac macPrototype;
    private final Database db;
    private final boolean postgres;
    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong sent = new AtomicLong();
    // The revocations of this instance whose notification its listener has not heard yet (a rolled-back one expires).
    private final Cache<String, CountDownLatch> echoes = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).build();
    private final PgListener listener;
    private volatile boolean usable;

    private record SubjectKey(Principal.Kind kind, UUID id) { }

    private CredentialCache(Database db, long maxSize, Duration maxAge) {
        this.tokens = Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(maxAge).build();
        this.subjects = Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(maxAge).build();
        this.keys = Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(maxAge).build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            this.macPrototype = Mac.getInstance("HmacSHA256");
            macPrototype.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.db = db;
        this.postgres = db.isPostgres();
        boolean enabled = maxSize > 0 && maxAge.isPositive();
        if (postgres && enabled) {
            this.usable = false;
            this.listener = PgListener.start(db, CHANNEL, Duration.ofSeconds(1), new Revocations());
        } else {
            this.usable = enabled;
            this.listener = null;
        }
    }

    /**
     * A cache of at most {@code maxSize} entries of each kind (verified tokens, their users and apps, API key pairs),
     * each kept at most {@code maxAge}; a size or age of zero turns caching off. On PostgreSQL it starts listening at once.
     */
    public static CredentialCache open(Database db, long maxSize, Duration maxAge) {
        return new CredentialCache(db, maxSize, maxAge);
    }

    /**
     * A Bearer token's verified claims, from the cache or {@code verify} (which throws when the token is not ours or
     * has expired; nothing is cached then). Keyed by an HMAC of the token; the caller still checks the expiry.
     * A verification depends on nothing in the database, so revocations leave these entries alone.
     */
    JwtCodec.Verified token(String token, Supplier<JwtCodec.Verified> verify) {
        return trusted() ? cached(tokens, mac(token, Optional.empty()), verify, v -> true) : verify.get();
    }

    /** The user or app a token names, from the cache or {@code load}; kept only when {@code accepted}. */
    Optional<CredentialStore.Subject> subject(Principal.Kind kind, UUID id, Supplier<Optional<CredentialStore.Subject>> load,
                                              Predicate<CredentialStore.Subject> accepted) {
        return Optional.ofNullable(cached(subjects, new SubjectKey(kind, id), () -> load.get().orElse(null), accepted));
    }

    /**
     * An API key presented with {@code secret} (if any), from the cache or {@code verify} (which throws when the pair
     * is not accepted; nothing is cached then).
     */
    CredentialService.VerifiedKey apiKey(String apiKey, Optional<String> secret, Supplier<CredentialService.VerifiedKey> verify) {
        return trusted() ? cached(keys, mac(apiKey, secret), verify, v -> true) : verify.get();
    }

    /**
     * The cached value for {@code key}, or {@code load}'s (may be null), which is kept when {@code keep} accepts it and
     * no invalidation ran since before the load began. While the cache is unusable it is bypassed.
     */
    private <K, V> V cached(Cache<K, V> cache, K key, Supplier<V> load, Predicate<V> keep) {
        if (!trusted()) {
            return load.get();
        }
        V value = cache.getIfPresent(key);
        if (value != null) {
            return value;
        }
        long before = generation.get();
        value = load.get();
        if (value != null && keep.test(value)) {
            cache.put(key, value);
            // Checked after the put: an invalidation either ran before this check (and the entry is removed here) or
            // after the put (and removed it itself).
            if (generation.get() != before || !usable) {
                cache.asMap().remove(key, value);
            }
        }
        return value;
    }

    /**
     * Whether cached entries may answer: the listener hears revocations (PostgreSQL), and the database is reachable.
     * During an outage every request is checked against the database, and so answers 503 like any other work that
     * needs it, rather than being served on credentials nobody could revoke meanwhile.
     */
    private boolean trusted() {
        return usable && db.available();
    }

    /**
     * Called in every transaction that withdraws a credential: once it commits, no instance answers from what it cached
     * before.
     */
    void revoked(DbExecute tx) {
        if (!postgres) {
            // The embedded database is one process: dropping the cache at commit is all there is to it.
            db.afterCommit(tx, this::invalidate);
            return;
        }
        String payload = instance + "/" + sent.incrementAndGet();
        CountDownLatch echo = new CountDownLatch(1);
        echoes.put(payload, echo);
        PgListener.notify(tx, CHANNEL, payload);
        db.afterCommit(tx, () -> {
            invalidate();
            awaitEcho(payload, echo);
        });
    }

    private void awaitEcho(String payload, CountDownLatch echo) {
        try {
            if (usable) {
                echo.await(ECHO_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            echoes.invalidate(payload);
        }
    }

    private void invalidate() {
        generation.incrementAndGet();
        subjects.invalidateAll();
        keys.invalidateAll();
    }

    private String mac(String apiKey, Optional<String> secret) {
        try {
            Mac mac = (Mac) macPrototype.clone();
            mac.update(apiKey.getBytes(StandardCharsets.UTF_8));
            // The separator cannot occur in a header value, so (key, secret) pairs cannot collide.
            mac.update((byte) 0);
            secret.ifPresent(s -> mac.update(s.getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(mac.doFinal(secret.isPresent() ? new byte[] {1} : new byte[] {0}));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /** What the listening connection reports. */
    private final class Revocations implements PgListener.Handler {

        @Override
        public void listening() {
            // Revocations committed while nobody listened were not heard: start from nothing.
            invalidate();
            usable = true;
        }

        @Override
        public void lost() {
            usable = false;
            invalidate();
            echoes.asMap().values().forEach(CountDownLatch::countDown);
        }

        @Override
        public void received(String payload) {
            invalidate();
            CountDownLatch echo = echoes.getIfPresent(payload);
            if (echo != null) {
                echo.countDown();
            }
        }
    }
}
