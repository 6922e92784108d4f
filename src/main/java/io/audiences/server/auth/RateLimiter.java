package io.audiences.server.auth;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

/**
 * Per-organization token buckets (Bucket4j): one organization's traffic never throttles another's.
 * Buckets live in this process; several instances behind a balancer each enforce the limit.
 */
public final class RateLimiter {

    private final int perSecond;
    private final int burst;
    private final Map<UUID, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** The outcome of one request against its organization's bucket. */
    public record Decision(boolean allowed, int limit, long remaining, long resetSeconds, long retryAfterSeconds) { }

    public Decision acquire(UUID organizationId) {
        Bucket bucket = buckets.computeIfAbsent(organizationId, id -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        long remaining = probe.getRemainingTokens();
        long reset = (long) Math.ceil((burst - remaining) / (double) perSecond);
        long retryAfter = (long) Math.ceil(probe.getNanosToWaitForRefill() / 1e9);
        return new Decision(probe.isConsumed(), perSecond, remaining, reset, Math.max(1, retryAfter));
    }
}
