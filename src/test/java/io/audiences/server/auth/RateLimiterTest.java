package io.audiences.server.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The limiter's arithmetic on a virtual clock, without HTTP or a database: several "instances" (limiters with their
 * own local copies) share one in-memory bucket store exactly as they share PostgreSQL's table.
 */
class RateLimiterTest {

    private static final RateLimiter.Policy DEFAULT = new RateLimiter.Policy(25, 50, 5, Duration.ofMillis(500));

    private final VirtualClock clock = new VirtualClock();
    private final MemoryStore store = new MemoryStore(clock);

    @Test
    void inProcessBucketAllowsTheBurstThenTheRefillRate() {
        RateLimiter limiter = RateLimiter.inProcess(DEFAULT, clock);
        UUID tenant = UUID.randomUUID();
        for (int i = 0; i < 50; i++) {
            RateLimiter.Decision d = limiter.acquire(tenant);
            assertThat(d.allowed(), is(true));
            assertThat(d.remaining(), is(49L - i));
        }
        RateLimiter.Decision refused = limiter.acquire(tenant);
        assertThat(refused.allowed(), is(false));
        assertThat(refused.remaining(), is(0L));
        assertThat(refused.retryAfterSeconds(), is(1L));
        assertThat(refused.resetSeconds(), is(2L));
        clock.advance(Duration.ofSeconds(1));
        assertThat(allowedNow(limiter, tenant, 100), is(25));
    }

    /**
     * The row of issue 9: one tenant at 100 requests/s for 10 s through 1, 2 and 3 instances gets the documented 25/s
     * with a burst of 50 (300 in 10 s), within a batch per instance, and reaches the store for a small share of its
     * requests only.
     */
    @ParameterizedTest(name = "{0} instance(s)")
    @ValueSource(ints = {1, 2, 3})
    void sharedBucketHoldsTheTenantLimitWhateverTheNumberOfInstances(int instances) {
        List<RateLimiter> limiters = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            limiters.add(RateLimiter.shared(DEFAULT, store, clock));
        }
        UUID tenant = UUID.randomUUID();
        int requests = 1000;
        int allowed = 0;
        for (int i = 0; i < requests; i++) {
            if (limiters.get(i % instances).acquire(tenant).allowed()) {
                allowed++;
            }
            clock.advance(Duration.ofMillis(10));
        }
        int expected = 50 + 25 * 10;
        assertThat(allowed, greaterThanOrEqualTo(expected - 5));
        assertThat(allowed, lessThanOrEqualTo(expected + instances * DEFAULT.batch()));
        assertThat("store round trips", store.roundTrips.get(), lessThan(requests / 4));
    }

    @Test
    void sharedBucketsOfTwoTenantsAreIndependent() {
        RateLimiter a = RateLimiter.shared(DEFAULT, store, clock);
        RateLimiter b = RateLimiter.shared(DEFAULT, store, clock);
        UUID busy = UUID.randomUUID();
        UUID quiet = UUID.randomUUID();
        assertThat(allowedNow(a, busy, 100) + allowedNow(b, busy, 100), lessThanOrEqualTo(50 + 2 * DEFAULT.batch()));
        assertThat(allowedNow(b, quiet, 100), is(50));
    }

    @Test
    void aHighLimitCostsAlmostNoStoreRoundTrips() {
        RateLimiter.Policy generous = new RateLimiter.Policy(100_000, 100_000, RateLimiter.Policy.defaultBatch(100_000),
                Duration.ofMillis(500));
        RateLimiter limiter = RateLimiter.shared(generous, store, clock);
        UUID tenant = UUID.randomUUID();
        for (int i = 0; i < 20_000; i++) {
            assertThat(limiter.acquire(tenant).allowed(), is(true));
            clock.advance(Duration.ofNanos(100_000));
        }
        // 2 s of traffic: the first request, one report per 10,000 tokens and one per sync interval.
        assertThat(store.roundTrips.get(), lessThanOrEqualTo(8));
    }

    @Test
    void aRefusedRequestIsNotReported() {
        RateLimiter limiter = RateLimiter.shared(DEFAULT, store, clock);
        UUID tenant = UUID.randomUUID();
        allowedNow(limiter, tenant, 60);
        int before = store.roundTrips.get();
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.acquire(tenant).allowed(), is(false));
        }
        assertThat(store.roundTrips.get(), is(before));
    }

    @Test
    void everyDecisionCarriesTheHeaderFigures() {
        RateLimiter limiter = RateLimiter.inProcess(DEFAULT, clock);
        UUID tenant = UUID.randomUUID();
        assertThat(limiter.acquire(tenant), is(new RateLimiter.Decision(true, 50, 2, 49, 1, 1)));
        allowedNow(limiter, tenant, 29);
        // 30 tokens spent: 30 / 25 per second is 1.2 s, rounded up.
        assertThat(limiter.acquire(tenant), is(new RateLimiter.Decision(true, 50, 2, 19, 2, 1)));
    }

    @Test
    void anEmptyBucketRefillsOneTokenPerTwentyFifthOfASecond() {
        RateLimiter limiter = RateLimiter.inProcess(DEFAULT, clock);
        UUID tenant = UUID.randomUUID();
        allowedNow(limiter, tenant, 50);
        clock.advance(Duration.ofMillis(39));
        assertThat(limiter.acquire(tenant).allowed(), is(false));
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.acquire(tenant), is(new RateLimiter.Decision(true, 50, 2, 0, 2, 1)));
        assertThat(limiter.acquire(tenant).allowed(), is(false));
    }

    @Test
    void aLongWaitIsAnnouncedInWholeSecondsRoundedUp() {
        RateLimiter.Policy slow = new RateLimiter.Policy(1, 1, 1, Duration.ofMillis(500));
        RateLimiter limiter = RateLimiter.inProcess(slow, clock);
        UUID tenant = UUID.randomUUID();
        assertThat(limiter.acquire(tenant).allowed(), is(true));
        clock.advance(Duration.ofMillis(1));
        RateLimiter.Decision refused = limiter.acquire(tenant);
        assertThat(refused.allowed(), is(false));
        assertThat(refused.retryAfterSeconds(), is(1L));
        assertThat(refused.resetSeconds(), is(1L));
    }

    @Test
    void inProcessBucketsOfTwoTenantsAreIndependent() {
        RateLimiter limiter = RateLimiter.inProcess(DEFAULT, clock);
        UUID busy = UUID.randomUUID();
        assertThat(allowedNow(limiter, busy, 100), is(50));
        assertThat(allowedNow(limiter, UUID.randomUUID(), 100), is(50));
    }

    @Test
    void aChangedPolicyStartsFromAFreshSharedBucket() {
        UUID tenant = UUID.randomUUID();
        assertThat(allowedNow(RateLimiter.shared(DEFAULT, store, clock), tenant, 100), lessThanOrEqualTo(50 + DEFAULT.batch()));
        RateLimiter.Policy larger = new RateLimiter.Policy(25, 60, 1, Duration.ofMillis(500));
        assertThat(allowedNow(RateLimiter.shared(larger, store, clock), tenant, 100), is(60));
    }

    /** The refill window of the {@code X-RateLimit-*} and {@code RateLimit-Policy} fields. */
    @ParameterizedTest(name = "burst {1} at {0}/s -> {2} s")
    @CsvSource({"25, 50, 2", "4, 10, 3", "3, 10, 3", "100, 50, 1", "1000, 1, 1", "1, 3600, 3600"})
    void theWindowIsTheRefillTimeRoundedToWholeSecondsAndAtLeastOne(int perSecond, int burst, long window) {
        assertThat(new RateLimiter.Policy(perSecond, burst, 1, Duration.ofSeconds(1)).windowSeconds(), is(window));
    }

    @ParameterizedTest(name = "burst {0} -> batch {1}")
    @CsvSource({"50, 5", "100000, 10000", "19, 1", "9, 1", "1, 1"})
    void theDefaultBatchIsATenthOfTheBurstAndAtLeastOne(int burst, int batch) {
        assertThat(RateLimiter.Policy.defaultBatch(burst), is(batch));
    }

    @ParameterizedTest(name = "{0}/s, burst {1}, batch {2}, sync {3} ms")
    @CsvSource({"0, 50, 5, 500", "25, 0, 5, 500", "25, 50, 0, 500", "25, 50, 5, 0", "25, 50, 5, -1"})
    void aPolicyWithANonPositiveFigureIsRefused(int perSecond, int burst, int batch, long syncMillis) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RateLimiter.Policy(perSecond, burst, batch, Duration.ofMillis(syncMillis)));
        assertThat(e.getMessage(), is("rate-limit: per-second, burst and batch must be positive, sync-interval"
                + " a positive duration"));
    }

    private static int allowedNow(RateLimiter limiter, UUID tenant, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.acquire(tenant).allowed()) {
                allowed++;
            }
        }
        return allowed;
    }

    /** A clock the test moves. */
    static final class VirtualClock implements TimeMeter {

        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }

    /** Bucket4j's compare-and-swap contract over a map: what the PostgreSQL table does, counted. */
    static final class MemoryStore extends AbstractCompareAndSwapBasedProxyManager<String> {

        final AtomicInteger roundTrips = new AtomicInteger();
        private final Map<String, byte[]> rows = new ConcurrentHashMap<>();

        MemoryStore(TimeMeter clock) {
            super(ClientSideConfig.getDefault().withClientClock(clock));
        }

        @Override
        protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
            return new CompareAndSwapOperation() {
                @Override
                public Optional<byte[]> getStateData(Optional<Long> timeoutNanos) {
                    roundTrips.incrementAndGet();
                    return Optional.ofNullable(rows.get(key));
                }

                @Override
                public boolean compareAndSwap(byte[] originalData, byte[] newData, RemoteBucketState newState,
                                              Optional<Long> timeoutNanos) {
                    return originalData == null ? rows.putIfAbsent(key, newData) == null
                            : rows.replace(key, originalData, newData);
                }
            };
        }

        @Override
        protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected CompletableFuture<Void> removeAsync(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeProxy(String key) {
            rows.remove(key);
        }

        @Override
        public boolean isAsyncModeSupported() {
            return false;
        }
    }
}
