package io.audiences.server.signin;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.SecretHash;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

/**
 * Budgets of failed sign-ins, one per account and one per client address (Bucket4j token buckets): an attempt takes a
 * token from both before any password is hashed, and a success gives them back, so only failures spend the budget.
 *
 * <p>The back-off grows: each budget is four stacked limits, {@code free} failures per minute, {@code 2 free} per 15
 * minutes, {@code 4 free} per 3 hours and {@code 8 free} per day. With the default 5 for an account, the sixth
 * failure in a row waits 12 s for the next attempt, the eleventh 90 s, the twenty-first 9 minutes and the forty-first
 * 36 minutes; a success clears the account's budget.
 *
 * <p>Where they live: account budgets are shared through the database on PostgreSQL (a row per account under
 * {@code SELECT ... FOR UPDATE}), so spreading attempts over instances does not multiply them; the embedded default
 * is one process and keeps them in memory. Address budgets are always per instance, in a bounded in-memory cache: an
 * address flooding one instance is cut off there without a database round trip per attempt, which is what keeps a
 * flood from costing the database anything; behind a load balancer an address gets at most one budget per instance.
 */
public final class SignInThrottle {

    /** Most addresses (and, in memory, accounts) remembered at once; the least recently seen are forgotten first. */
    private static final int MAX_REMEMBERED = 100_000;

    /**
     * The budgets.
     *
     * @param accountFree failures an account may have in a row before it must wait
     * @param addressFree failures an address may have in a row before it must wait
     */
    public record Policy(int accountFree, int addressFree) {

        public Policy {
            if (accountFree < 1 || addressFree < 1) {
                throw new IllegalArgumentException("sign-in: account-free and address-free must be positive");
            }
        }
    }

    /**
     * The outcome of reserving an attempt.
     *
     * @param allowed           whether the credential may be checked
     * @param retryAfterSeconds when refused, whole seconds until the next attempt is allowed (at least 1)
     */
    public record Verdict(boolean allowed, long retryAfterSeconds) {
        static final Verdict ALLOWED = new Verdict(true, 0);
    }

    private final Policy policy;
    private final Function<String, Bucket> accounts;
    private final Cache<String, Bucket> addresses;
    private final Function<String, Bucket> newAddressBucket;

    private SignInThrottle(Policy policy, Function<String, Bucket> accounts, Function<String, Bucket> newAddressBucket) {
        this.policy = policy;
        this.accounts = accounts;
        this.addresses = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).expireAfterAccess(Duration.ofDays(1)).build();
        this.newAddressBucket = newAddressBucket;
    }

    /** Account budgets in the database on PostgreSQL, in memory otherwise; address budgets in memory. */
    public static SignInThrottle forDatabase(Policy policy, Database db, Clock clock) {
        TimeMeter time = timeMeter(clock);
        BucketConfiguration account = configuration(policy.accountFree());
        Function<String, Bucket> accounts;
        if (db.isPostgres()) {
            ProxyManager<String> store = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(db.dataSource())
                    .primaryKeyMapper(PrimaryKeyMapper.STRING)
                    .table("sign_in_bucket")
                    .idColumn("id")
                    .stateColumn("state")
                    .clientClock(time)
                    .build();
            accounts = key -> store.builder().build(key, () -> account);
        } else {
            Cache<String, Bucket> local = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED)
                    .expireAfterAccess(Duration.ofDays(1)).build();
            accounts = key -> local.get(key, k -> local(account, time));
        }
        BucketConfiguration address = configuration(policy.addressFree());
        return new SignInThrottle(policy, accounts, key -> local(address, time));
    }

    /**
     * Reserves one failure from the attempt's address and account; refused (and nothing reserved) when either has
     * none left. The caller must {@link #succeeded} or leave the reservation spent.
     */
    public Verdict reserve(SignInAttempt attempt) {
        Bucket address = addresses.get(attempt.address(), newAddressBucket);
        ConsumptionProbe byAddress = address.tryConsumeAndReturnRemaining(1);
        if (!byAddress.isConsumed()) {
            return refused(byAddress);
        }
        ConsumptionProbe byAccount;
        try {
            byAccount = accounts.apply(accountKey(attempt)).tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException e) {
            address.addTokens(1); // the shared budget is out of reach (database down): nothing was attempted
            throw e;
        }
        if (!byAccount.isConsumed()) {
            address.addTokens(1);
            return refused(byAccount);
        }
        return Verdict.ALLOWED;
    }

    /** The reserved attempt was right: its address gets its token back and its account starts afresh. */
    public void succeeded(SignInAttempt attempt) {
        addresses.get(attempt.address(), newAddressBucket).addTokens(1);
        accounts.apply(accountKey(attempt)).reset();
    }

    /** The reserved attempt checked nothing (no room to hash, the database away): both get their token back. */
    public void release(SignInAttempt attempt) {
        addresses.get(attempt.address(), newAddressBucket).addTokens(1);
        accounts.apply(accountKey(attempt)).addTokens(1);
    }

    /**
     * The account's key in the shared table: hashed, so the table holds no email addresses (attempts name accounts
     * that do not exist too), naming the kind so a user and an app never share a budget, and naming the policy so a
     * changed budget starts afresh instead of reading a bucket stored under the old one.
     */
    private String accountKey(SignInAttempt attempt) {
        return attempt.kind().name().toLowerCase(Locale.ROOT) + ":" + SecretHash.sha256(attempt.account())
                + "/" + policy.accountFree();
    }

    private static Verdict refused(ConsumptionProbe probe) {
        return new Verdict(false, Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999)));
    }

    /** Four stacked limits, each allowing twice the failures of the one before over a much longer period. */
    static BucketConfiguration configuration(int free) {
        var builder = BucketConfiguration.builder();
        List<Duration> periods = List.of(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofHours(3), Duration.ofDays(1));
        int failures = free;
        for (Duration period : periods) {
            builder.addLimit(Bandwidth.builder().capacity(failures).refillGreedy(failures, period).build());
            failures *= 2;
        }
        return builder.build();
    }

    private static Bucket local(BucketConfiguration configuration, TimeMeter time) {
        var builder = Bucket.builder().withCustomTimePrecision(time);
        for (Bandwidth limit : configuration.getBandwidths()) {
            builder.addLimit(limit);
        }
        return builder.build();
    }

    /** The application's clock as Bucket4j reads time (tests move it to skip a back-off). */
    private static TimeMeter timeMeter(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                var now = clock.instant();
                return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }
}
