package io.audiences.contract;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.audiences.server.auth.RateLimiter;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.Settings;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.tenancy.Organization;

import io.github.bucket4j.TimeMeter;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * Per-tenant token bucket: 1 request/s, burst 3. The machine may be slow, so the exact "4th request"
 * rule is asserted when the four requests fit in one second, and concurrent bursts (which always outrun a
 * refill of one token per second) prove the 429 regardless of speed.
 */
class RateLimitTest extends ServerTestBase {

    @Override
    protected Map<String, String> configOverrides() {
        return Map.of("audiences.rate-limit.per-second", "1", "audiences.rate-limit.burst", "3");
    }

    /** The first requests of a fresh server are slow (class loading, JIT); keep them out of the timed bursts. */
    @BeforeAll
    void warmUp() throws Exception {
        Tenant warm = tenant("Warm-up");
        ApiClient key = apiClient(warm.token(), "warm-up", true);
        burst(8, i -> i % 2 == 0 ? as(warm.token()).get("/api/v1/organizations")
                : withKey(key.apiKey(), key.apiSecret()).get("/api/v1/projects"));
    }

    /** An organization used only to run every operation into its limit. */
    private Tenant throttled;

    @BeforeAll
    void createThrottledTenant() {
        throttled = tenant("Throttled");
    }

    interface Call {
        Response call(int i);
    }

    private static List<Response> burst(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                final int index = i;
                futures.add(pool.submit((Callable<Response>) () -> call.call(index)));
            }
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : futures) {
                responses.add(f.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertLimited(Response response) {
        response.then().statusCode(429)
                .contentType("application/problem+json")
                .body("status", equalTo(429))
                .body("code", equalTo("rate_limited"))
                .body("request_id", notNullValue())
                .header("X-RateLimit-Remaining", "0");
        assertThat(Integer.parseInt(response.header("Retry-After")), greaterThanOrEqualTo(1));
        assertFiguresAgree(response);
    }

    private static void assertAllowed(Response response) {
        response.then().statusCode(200)
                .header("Retry-After", nullValue());
        assertThat(Integer.parseInt(response.header("X-RateLimit-Remaining")), lessThanOrEqualTo(2));
        assertFiguresAgree(response);
    }

    /**
     * Issue 13: the limit is the bucket's capacity (3), so what remains never exceeds it; the IETF fields state the
     * same bucket (3 requests refilled over 3 s at 1/s) and the same remaining and reset figures.
     */
    private static void assertFiguresAgree(Response response) {
        response.then().header("X-RateLimit-Limit", "3").header("RateLimit-Policy", "\"tenant\";q=3;w=3");
        long remaining = Long.parseLong(response.header("X-RateLimit-Remaining"));
        long reset = Long.parseLong(response.header("X-RateLimit-Reset"));
        assertThat(remaining, lessThanOrEqualTo(3L));
        assertThat(reset, lessThanOrEqualTo(3L));
        response.then().header("RateLimit", "\"tenant\";r=" + remaining + ";t=" + reset);
    }

    /**
     * Issue 13: out of the box the limit is Delivr's, 25 requests/s with a burst of 50, and the figures the headers are
     * made of agree with it and with each other: Limit is the capacity (50, not Delivr's 25, so that Remaining, which
     * starts at 49, never exceeds it) and the policy's window is 2 s (50 refilled at 25/s); the contract says so.
     */
    @Test
    void theDefaultsAreDelivrsRateAndBurstAndTheFiguresAgree() throws Exception {
        Settings defaults = Settings.from(Config.builder().addSource(ConfigSources.classpath("application.yaml"))
                .disableEnvironmentVariablesSource().disableSystemPropertiesSource().build());
        assertThat(defaults.rateLimitPerSecond(), is(25));
        assertThat(defaults.rateLimitBurst(), is(50));
        RateLimiter limiter = RateLimiter.inProcess(new RateLimiter.Policy(defaults.rateLimitPerSecond(),
                defaults.rateLimitBurst(), RateLimiter.Policy.defaultBatch(defaults.rateLimitBurst()),
                defaults.rateLimitSyncInterval()), TimeMeter.SYSTEM_MILLISECONDS);
        UUID tenant = UUID.randomUUID();
        RateLimiter.Decision first = limiter.acquire(tenant);
        assertThat(first.limit(), is(50));
        assertThat(first.windowSeconds(), is(2L));
        assertThat(first.remaining(), is(49L));
        for (int i = 0; i < 60; i++) {
            RateLimiter.Decision d = limiter.acquire(tenant);
            assertThat(d.remaining(), lessThanOrEqualTo((long) d.limit()));
            assertThat(d.resetSeconds(), lessThanOrEqualTo(d.windowSeconds()));
        }
        String contract = Files.readString(BreakingChangeTest.CONTRACT);
        assertThat(contract, containsString("example: '\"tenant\";q=50;w=2'"));
        assertThat(contract, containsString("documentation shows `X-RateLimit-Limit: 25`, its per-second rate"));
    }

    /**
     * Sends {@code n} requests at once and checks each is an allowed 200 or the documented 429; at most
     * {@code tokens} (what the bucket holds) plus one per second of the burst's duration are allowed.
     *
     * @return how many were allowed
     */
    private static int allowedInBurst(int n, int tokens, Call call) throws Exception {
        long started = System.nanoTime();
        List<Response> responses = burst(n, call);
        long seconds = (System.nanoTime() - started) / 1_000_000_000 + 1;
        int allowed = 0;
        for (Response r : responses) {
            if (r.statusCode() == 200) {
                assertAllowed(r);
                allowed++;
            } else {
                assertLimited(r);
            }
        }
        assertThat(allowed, lessThanOrEqualTo((int) (tokens + seconds)));
        return allowed;
    }

    @Test
    void fourthRapidRequestIs429() {
        Tenant busy = tenant("Busy");
        long started = System.nanoTime();
        List<Response> responses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            responses.add(as(busy.token()).get("/api/v1/organizations"));
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        // A fresh bucket: full burst minus this request.
        responses.getFirst().then().statusCode(200).header("X-RateLimit-Remaining", "2").header("X-RateLimit-Reset", "1")
                .header("RateLimit", "\"tenant\";r=2;t=1");
        if (elapsedMillis < 950) {
            for (int i = 0; i < 3; i++) {
                assertAllowed(responses.get(i));
                responses.get(i).then().header("X-RateLimit-Remaining", Integer.toString(2 - i));
            }
            assertLimited(responses.get(3));
        }
    }

    @Test
    void concurrentBurstIsThrottledAndOtherOrganizationsAreNot() throws Exception {
        Tenant busy = tenant("Concurrent");
        Tenant quiet = tenant("Quiet");
        assertThat(allowedInBurst(10, 3, i -> as(busy.token()).get("/api/v1/organizations")), greaterThanOrEqualTo(3));
        // Another organization has its own, full bucket.
        as(quiet.token()).get("/api/v1/organizations").then().statusCode(200).header("X-RateLimit-Remaining", "2");
    }

    @Test
    void everyCredentialOfTheOrganizationSharesOneBucket() throws Exception {
        Tenant shared = tenant("Shared");
        ApiClient key = apiClient(shared.token(), "shared", true);
        // One bucket for the organization: the 2 tokens left after creating the client, plus refills.
        int allowed = allowedInBurst(12, 2, i -> i % 2 == 0 ? as(shared.token()).get("/api/v1/projects")
                : withKey(key.apiKey(), key.apiSecret()).get("/api/v1/projects"));
        assertThat(allowed >= 1, is(true));
    }

    /**
     * Issue 10's row: child organizations do not get buckets of their own. The credentials of a tenant's top-level
     * organization, of two children and of a grandchild draw from one bucket, so a burst from all four gets what
     * one organization gets (before, each of the four had its own burst of 3).
     */
    @Test
    void childOrganizationsDrawFromTheirTenantsBucket() throws Exception {
        Tenant parent = tenant("Parent");
        Principal owner = new Principal(parent.organization().id(), Principal.Kind.USER, UUID.randomUUID());
        Organization child = app.tenancy().createOrganization(owner, "Child", Optional.empty(),
                TransactionHook.none());
        Organization sibling = app.tenancy().createOrganization(owner, "Sibling", Optional.empty(),
                TransactionHook.none());
        Organization grandchild = app.tenancy().createOrganization(owner, "Grandchild", Optional.of(child.id()),
                TransactionHook.none());
        List<String> tokens = new ArrayList<>(List.of(parent.token()));
        for (Organization org : List.of(child, sibling, grandchild)) {
            String email = "member-" + UUID.randomUUID() + "@example.com";
            app.database().inTransaction(tx -> app.credentials().createUser(tx, org.id(), email, "Member", "User",
                    Optional.of("password-of-a-member")));
            tokens.add(login(email, "password-of-a-member"));
        }
        assertThat(allowedInBurst(12, 3, i -> as(tokens.get(i % tokens.size())).get("/api/v1/organizations")),
                greaterThanOrEqualTo(3));
    }

    /**
     * Every operation whose 429 is the tenant's rate limit. The two sign-ins are anonymous: their 429
     * ({@code too_many_attempts}) is the failed sign-in budget, which SignInThrottleTest covers.
     */
    static List<SpecOperations.Op> rateLimitedOperations() {
        return SpecOperations.all().stream().filter(op -> op.documents(429))
                .filter(op -> !Set.of("login", "issueAppToken").contains(op.baseId())).toList();
    }

    /**
     * The limiter runs before the handler, so whatever the operation would have answered (a 400 for an empty
     * body, a 404 for an unknown id), an organization over its budget gets the documented 429 everywhere.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rateLimitedOperations")
    void everyRateLimitedOperationAnswers429(SpecOperations.Op op) {
        String path = op.samplePath();
        for (int attempt = 0; attempt < 40; attempt++) {
            // Logging out spends the token whenever the bucket lets it through: a fresh user's token each time.
            String token = "logout".equals(op.id()) ? freshUserToken(throttled.organization().id(), "password-of-a-member")
                    : throttled.token();
            var spec = as(token).header("X-Project-Id", throttled.project().id().toString());
            if (op.operation().getRequestBody() != null) {
                spec.body("{}");
            }
            Response response = spec.request(op.method(), path);
            if (response.statusCode() == 429) {
                assertLimited(response);
                return;
            }
        }
        throw new AssertionError(op.id() + " never answered 429 in 40 requests at 1 request/s, burst 3");
    }
}
