package io.audiences.server.auth;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.audiences.server.platform.Database;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.NopeOptimizationListener;
import io.github.bucket4j.distributed.proxy.optimization.delay.DelayOptimization;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

/**
 * The rate limit: one token bucket per tenant (a top-level organization, shared by all its descendants, so creating
 * child organizations does not multiply it) of {@code burst} requests refilled at {@code perSecond} (Bucket4j).
 *
 * <p>On PostgreSQL the buckets are shared by every instance: each tenant's bucket is a row that Bucket4j updates
 * under {@code SELECT ... FOR UPDATE}. Asking the database on every request would cost a round trip per request, so
 * each instance works on a local copy of the bucket (Bucket4j's delaying optimization): it spends up to
 * {@code batch} tokens locally, then reports them and takes a fresh copy in one transaction, and reports at least
 * every {@code syncInterval} while the tenant is busy. The deployment's total can exceed the bucket by at most about
 * one batch per instance, once; the debt is carried by the shared bucket, so the long-run rate is exact. Requests
 * refused locally are not reported: a tenant over its limit costs no database work until the next interval.
 * On the embedded default (one process) the buckets live in memory.
 */
public final class RateLimiter {

    /**
     * What the limit is and how instances share it.
     *
     * @param perSecond    refill rate, requests per second
     * @param burst        bucket capacity: the most requests a tenant can make at once
     * @param batch        tokens an instance may spend before reporting them to the shared bucket
     * @param syncInterval longest time an instance answers from its local copy while the tenant is busy
     */
    public record Policy(int perSecond, int burst, int batch, Duration syncInterval) {

        public Policy {
            if (perSecond < 1 || burst < 1 || batch < 1 || syncInterval.isNegative() || syncInterval.isZero()) {
                throw new IllegalArgumentException("rate-limit: per-second, burst and batch must be positive, sync-interval"
                        + " a positive duration");
            }
        }

        /** The default batch: a tenth of the burst, so the overshoot of a few instances stays within the burst. */
        public static int defaultBatch(int burst) {
            return Math.max(1, burst / 10);
        }

        /** Whole seconds the bucket takes to refill from empty (at least 1): the window of a quota of {@code burst}. */
        public long windowSeconds() {
            return Math.max(1, Math.round(burst / (double) perSecond));
        }
    }

    /**
     * The outcome of one request against its tenant's bucket.
     *
     * @param allowed           whether the request may proceed
     * @param limit             the bucket's capacity (the burst)
     * @param windowSeconds     seconds the bucket takes to refill from empty
     * @param remaining         tokens left, never more than {@code limit}
     * @param resetSeconds      seconds until the bucket is full again
     * @param retryAfterSeconds when refused, seconds until a token is available
     */
    public record Decision(boolean allowed, int limit, long windowSeconds, long remaining, long resetSeconds,
                           long retryAfterSeconds) { }

    private final Policy policy;
    private final Function<String, Bucket> newBucket;
    // One bucket object per tenant for the life of the process: a shared bucket's local copy lives in it.
    private final Map<UUID, Bucket> buckets = new ConcurrentHashMap<>();

    private RateLimiter(Policy policy, Function<String, Bucket> newBucket) {
        this.policy = policy;
        this.newBucket = newBucket;
    }

    /** Buckets shared through the database on PostgreSQL; in memory otherwise (the embedded default is one process). */
    public static RateLimiter forDatabase(Policy policy, Database db) {
        if (!db.isPostgres()) {
            return inProcess(policy, TimeMeter.SYSTEM_MILLISECONDS);
        }
        ProxyManager<String> store = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(db.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_bucket")
                .idColumn("id")
                .stateColumn("state")
                .clientClock(TimeMeter.SYSTEM_MILLISECONDS)
                .build();
        return shared(policy, store, TimeMeter.SYSTEM_MILLISECONDS);
    }

    /** Buckets in this process only. */
    public static RateLimiter inProcess(Policy policy, TimeMeter clock) {
        BucketConfiguration configuration = configuration(policy);
        return new RateLimiter(policy, key -> Bucket.builder().withCustomTimePrecision(clock)
                .addLimit(configuration.getBandwidths()[0]).build());
    }

    /**
     * Buckets in {@code store}, shared with every other limiter on it; {@code clock} must be the store's client clock
     * (the local copy and the stored bucket are computed on the same time base).
     */
    public static RateLimiter shared(Policy policy, ProxyManager<String> store, TimeMeter clock) {
        BucketConfiguration configuration = configuration(policy);
        DelayOptimization delaying = new DelayOptimization(new DelayParameters(policy.batch(), policy.syncInterval()),
                NopeOptimizationListener.INSTANCE, clock);
        return new RateLimiter(policy, key -> store.builder().withOptimization(delaying).build(key, () -> configuration));
    }

    private static BucketConfiguration configuration(Policy policy) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(policy.burst())
                        .refillGreedy(policy.perSecond(), Duration.ofSeconds(1)).build())
                .build();
    }

    /** Takes one token from the tenant's bucket, if there is one. */
    public Decision acquire(UUID tenantId) {
        ConsumptionProbe probe = buckets.computeIfAbsent(tenantId, id -> newBucket.apply(key(id)))
                .tryConsumeAndReturnRemaining(1);
        long remaining = probe.getRemainingTokens();
        long reset = (long) Math.ceil((policy.burst() - remaining) / (double) policy.perSecond());
        long retryAfter = (long) Math.ceil(probe.getNanosToWaitForRefill() / 1e9);
        return new Decision(probe.isConsumed(), policy.burst(), policy.windowSeconds(), remaining, reset,
                Math.max(1, retryAfter));
    }

    /**
     * The stored bucket's key names its policy too, so a changed limit starts from a fresh bucket instead of
     * carrying state computed under the old one.
     */
    private String key(UUID tenantId) {
        return tenantId + "/" + policy.burst() + "@" + policy.perSecond();
    }
}
