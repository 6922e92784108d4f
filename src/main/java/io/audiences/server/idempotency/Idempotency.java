package io.audiences.server.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.SecretHash;

import io.helidon.dbclient.DbExecute;

/**
 * Exactly-once execution of state-changing requests that carry an Idempotency-Key (Stripe's semantics), shared by
 * every instance on the database.
 *
 * <p>A key is scoped to the caller's organization. The first request claims it with an insert that the primary key
 * lets only one writer win, committed at once; the claim holds a lease. The change then runs in its own transaction
 * and, in that same transaction, stores its reply into the claimed row on condition that the claim is still this
 * request's. So a change commits exactly when its reply is recorded: a crash in between leaves neither, and the
 * lease lets a retry run it once it has run out. A request that fails stored nothing and releases the key, so fixing
 * the request and retrying with the same key works (Stripe keeps no result when validation fails).
 *
 * <p>Another request with the key finds the row: in flight, it is refused with 409 {@code idempotency_in_progress}
 * and {@code Retry-After} (it never waits holding a connection); completed, with the same fingerprint (method, path,
 * project, body), it gets the stored reply; with another fingerprint, 422 {@code idempotency_key_reused}. A row
 * older than 24 hours no longer counts, and is claimed again by a compare-and-set on its claim id, never deleted
 * then reinserted.
 */
public final class Idempotency {

    private static final Logger LOG = Logger.getLogger(Idempotency.class.getName());

    /** How long a completed key replays. */
    public static final Duration RETENTION = Duration.ofHours(24);
    /** How long a claim may stay in flight before another request may take it over (its holder is presumed dead). */
    public static final Duration LEASE = Duration.ofSeconds(30);
    /** What a concurrent duplicate is told to wait: requests finish in milliseconds. */
    static final int RETRY_AFTER_SECONDS = 1;
    private static final Duration PRUNE_INTERVAL = Duration.ofMinutes(10);
    /** Each round follows a change by another request; more than a few in a row means heavy contention on one key. */
    private static final int MAX_ROUNDS = 5;

    private final IdempotencyStore store;
    private final ReplySeal seal;
    private final Clock clock;
    private final AtomicReference<Instant> nextPrune = new AtomicReference<>(Instant.MIN);

    public Idempotency(IdempotencyStore store, byte[] serverKey, Clock clock) {
        this.store = store;
        this.seal = new ReplySeal(serverKey);
        this.clock = clock;
    }

    /** What a request with a key may do. */
    public sealed interface Claim permits Replay, Owned { }

    /** The key was completed with this request's fingerprint: answer with the stored reply. */
    public record Replay(Reply reply) implements Claim { }

    /** This request holds the key: run the change, then {@link #complete} in its transaction or {@link #release}. */
    public record Owned(UUID organizationId, String key, String keyHash, UUID claimId) implements Claim { }

    /**
     * Claims {@code key} for a request with {@code fingerprint}, or says what to answer instead.
     *
     * @throws DomainException 409 {@code idempotency_in_progress} while another request holds the key, 422
     *                         {@code idempotency_key_reused} if the key completed a different request
     */
    public Claim claim(UUID organizationId, String key, String fingerprint) {
        String keyHash = SecretHash.sha256(key);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Instant now = clock.now();
            UUID claimId = Ids.uuid();
            if (store.insert(organizationId, keyHash, fingerprint, claimId, now, now.plus(LEASE))) {
                pruneNowAndThen(now);
                return new Owned(organizationId, key, keyHash, claimId);
            }
            Optional<IdempotencyStore.Row> found = store.find(organizationId, keyHash);
            if (found.isEmpty()) {
                continue; // released or pruned since the insert failed: claim it again
            }
            IdempotencyStore.Row row = found.get();
            boolean retained = !row.createdAt().isBefore(now.minus(RETENTION));
            boolean inFlight = row.status().isEmpty();
            if (!retained || (inFlight && row.claimedUntil().isBefore(now))) {
                if (store.takeOver(organizationId, keyHash, row.claimId(), fingerprint, claimId, now, now.plus(LEASE),
                        now.minus(RETENTION))) {
                    return new Owned(organizationId, key, keyHash, claimId);
                }
                continue; // another request changed the row first: look again
            }
            if (inFlight) {
                throw inProgress();
            }
            if (!row.fingerprint().equals(fingerprint)) {
                throw new DomainException(DomainException.Kind.UNPROCESSABLE, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                        "This Idempotency-Key was used with a different request (method, path, project or body).");
            }
            return new Replay(new Reply(row.status().get(), row.contentType(), Optional.ofNullable(row.location()),
                    Optional.ofNullable(row.etag()), seal.open(organizationId, key, row.body())));
        }
        throw inProgress();
    }

    /**
     * Records {@code reply} as the key's answer, inside the transaction of the change it answers.
     *
     * @throws DomainException 409 {@code idempotency_in_progress} if the claim ran out and another request took the
     *                         key over: the change must roll back, since that request runs it
     */
    public void complete(DbExecute tx, Owned owned, Reply reply) {
        if (!store.complete(tx, owned.organizationId(), owned.keyHash(), owned.claimId(), reply.status(), reply.contentType(),
                reply.location().orElse(null), reply.etag().orElse(null),
                seal.seal(owned.organizationId(), owned.key(), reply.body()))) {
            throw inProgress();
        }
    }

    /** Frees the key after a failed request. If this fails too, the lease frees it. */
    public void release(Owned owned) {
        try {
            store.release(owned.organizationId(), owned.keyHash(), owned.claimId());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not release an idempotency key; it is free again when its lease runs out", e);
        }
    }

    /** Deletes the keys past their retention (they no longer count either way; this only reclaims space). */
    public long prune() {
        return store.prune(clock.now().minus(RETENTION));
    }

    /** At most every few minutes per instance, off the request's path. */
    private void pruneNowAndThen(Instant now) {
        Instant due = nextPrune.get();
        if (now.isBefore(due) || !nextPrune.compareAndSet(due, now.plus(PRUNE_INTERVAL))) {
            return;
        }
        Thread.ofVirtual().name("idempotency-prune").start(() -> {
            try {
                prune();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "pruning expired idempotency keys failed", e);
            }
        });
    }

    private static DomainException inProgress() {
        return new DomainException(DomainException.Kind.CONFLICT, ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                "Another request with this Idempotency-Key is in progress; retry after it completes.", List.of(),
                Map.of(DomainException.RETRY_AFTER, RETRY_AFTER_SECONDS));
    }
}
