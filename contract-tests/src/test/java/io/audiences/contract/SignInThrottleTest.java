package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.audiences.server.Application;
import io.audiences.server.platform.Clock;

import io.helidon.config.Config;
import io.restassured.response.Response;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isIn;

/**
 * Failed sign-ins are throttled per account and per client address (429 too_many_attempts with a growing
 * Retry-After), wrong app secrets like wrong passwords, and password checks beyond the hashing pool's room are shed
 * (503 overloaded) instead of queueing without bound. Before: every attempt answered 401, without end.
 */
class SignInThrottleTest extends ServerTestBase {

    private static final int ADDRESS_FREE = 10;

    /** Time stands still unless a test moves it: budgets refill continuously, and the checks take real seconds here. */
    private final FrozenClock clock = new FrozenClock();

    private static final class FrozenClock implements Clock {
        private volatile Instant now = Instant.now();

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }
    }

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected Map<String, String> configOverrides() {
        return Map.of("audiences.rate-limit.per-second", "10000", "audiences.rate-limit.burst", "10000",
                "audiences.sign-in.account-free", "5",
                "audiences.sign-in.address-free", Integer.toString(ADDRESS_FREE),
                // One password check at a time and none waiting: the shedding test needs no flood to fill it.
                "audiences.sign-in.hashing.threads", "1",
                "audiences.sign-in.hashing.queue", "0");
    }

    /** Every budget refills within a day: each test starts with full ones. */
    @BeforeEach
    void fullBudgets() {
        clock.advance(Duration.ofDays(2));
    }

    @Test
    void anAccountGetsFiveFailuresThenWaitsEvenWithTheRightPassword() {
        Tenant t = tenant("Throttled");
        for (int i = 0; i < 5; i++) {
            signIn(t.email(), "wrong-" + i).then().statusCode(401).body("code", equalTo("invalid_credentials"));
        }
        signIn(t.email(), "wrong-6").then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "12")
                .body("status", equalTo(429))
                .body("code", equalTo("too_many_attempts"));
        // The right password is not even checked while the account waits.
        signIn(t.email(), t.password()).then().statusCode(429).header("Retry-After", "12")
                .body("code", equalTo("too_many_attempts"));
        clock.advance(Duration.ofSeconds(12));
        signIn(t.email(), t.password()).then().statusCode(200);
        // A success clears the account's budget: five failures again before the next wait.
        for (int i = 0; i < 5; i++) {
            signIn(t.email(), "again-" + i).then().statusCode(401);
        }
        signIn(t.email(), "again-6").then().statusCode(429).body("code", equalTo("too_many_attempts"));
    }

    /** The owner sees it: one audit event per account per minute while it is throttled, however many attempts. */
    @Test
    void aThrottledAccountIsInItsOrganizationsAuditLogOnceAMinute() {
        Tenant t = tenant("Watched");
        String token = t.token();
        for (int i = 0; i < 5; i++) {
            signIn(t.email(), "wrong-" + i).then().statusCode(401);
        }
        for (int i = 0; i < 3; i++) {
            signIn(t.email(), "still-wrong-" + i).then().statusCode(429);
        }
        assertThat(actions(token).stream().filter("user.sign_in_throttled"::equals).count(), is(1L));
        assertThat(actions(token).stream().filter("user.sign_in_failed"::equals).count(), is(5L));
        clock.advance(Duration.ofSeconds(61));
        for (int i = 0; i < 6; i++) {
            signIn(t.email(), "later-" + i).then().statusCode(anyOf(is(401), is(429)));
        }
        assertThat(actions(token).stream().filter("user.sign_in_throttled"::equals).count(), is(2L));
    }

    private List<String> actions(String token) {
        return as(token).queryParam("limit", 100).get("/api/v1/audit-events").then().statusCode(200).extract()
                .jsonPath().getList("events.action", String.class);
    }

    @Test
    void theWaitGrowsWhileTheFailuresGoOn() {
        Tenant t = tenant("Persistent");
        List<Integer> waits = new ArrayList<>();
        for (int failures = 0; failures < 12; ) {
            Response r = signIn(t.email(), "guess-" + failures);
            if (r.statusCode() == 401) {
                failures++;
                continue;
            }
            assertThat(r.statusCode(), is(429));
            int wait = Integer.parseInt(r.header("Retry-After"));
            waits.add(wait);
            clock.advance(Duration.ofSeconds(wait));
        }
        // 5 free, then one per 12 s (5 per minute) until 10 in 15 minutes are spent, then one per 90 s.
        assertThat(waits.toString(), waits.subList(0, 5), everyItem(is(12)));
        assertThat(waits.toString(), waits.get(5), is(30));
        assertThat(waits.toString(), waits.get(6), is(90));
    }

    @Test
    void anAddressGetsItsOwnBudgetAcrossAccounts() {
        Tenant t = tenant("Bystander");
        for (int i = 0; i < ADDRESS_FREE; i++) {
            signIn("nobody-" + i + "-" + System.nanoTime() + "@example.com", "x").then().statusCode(401)
                    .body("code", equalTo("invalid_credentials"));
        }
        // A fresh account, but the same address: 10 failures per minute are spent, one comes back every 6 s.
        signIn("nobody-else-" + System.nanoTime() + "@example.com", "x").then().statusCode(429)
                .header("Retry-After", "6").body("code", equalTo("too_many_attempts"));
        signIn(t.email(), t.password()).then().statusCode(429).body("code", equalTo("too_many_attempts"));
        clock.advance(Duration.ofSeconds(6));
        signIn(t.email(), t.password()).then().statusCode(200);
    }

    @Test
    void wrongAppSecretsAreThrottledLikePasswords() {
        Tenant t = tenant("Apps");
        var created = as(t.token()).body(Map.of("name", "Throttled app")).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        String clientId = created.getString("response.client_id");
        String secret = created.getString("response.client_secret");
        for (int i = 0; i < 5; i++) {
            issue(clientId, secret + i).then().statusCode(401).body("code", equalTo("invalid_credentials"));
        }
        issue(clientId, secret + "x").then().statusCode(429).header("Retry-After", "12")
                .contentType("application/problem+json").body("code", equalTo("too_many_attempts"));
        issue(clientId, secret).then().statusCode(429).body("code", equalTo("too_many_attempts"));
        clock.advance(Duration.ofSeconds(12));
        issue(clientId, secret).then().statusCode(200).body("response.token_type", equalTo("Bearer"));
    }

    @Test
    void passwordChecksBeyondThePoolAreShedWithRetryAfter() throws Exception {
        Tenant t = tenant("Crowd");
        // As many callers as the account's budget: each attempt reserves one failure until its outcome is known, so
        // a sixth attempt in flight at the same instant is refused 429 by design (eight callers flaked that way).
        int callers = 5;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                // The right password, so the shed attempts are the only failures and no budget is spent.
                Callable<Response> call = () -> {
                    start.await();
                    return signIn(t.email(), t.password());
                };
                answers.add(pool.submit(call));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> f : answers) {
                Response r = f.get();
                statuses.add(r.statusCode());
                if (r.statusCode() == 503) {
                    assertThat(r.header("Retry-After"), equalTo("1"));
                    assertThat(r.contentType(), equalTo("application/problem+json"));
                    assertThat(r.path("code"), equalTo("overloaded"));
                }
            }
            assertThat(statuses.toString(), statuses, everyItem(isIn(List.of(200, 503))));
            assertThat(statuses.toString(), statuses, hasItem(503));
            assertThat(statuses.toString(), statuses, hasItem(200));
        } finally {
            pool.shutdownNow();
        }
        // Shed attempts cost no budget: the account still has all five failures.
        for (int i = 0; i < 5; i++) {
            signIn(t.email(), "after-" + i).then().statusCode(401);
        }
    }

    @Test
    void instancesSharingPostgresShareAnAccountsBudget() {
        Assumptions.assumeTrue(TestDatabase.postgres(), "two processes cannot share one embedded H2 file");
        Tenant t = tenant("Spread");
        Config config = serverConfig();
        try (Application second = Application.create(config, clock).start(config.get("server"))) {
            for (int i = 0; i < 5; i++) {
                loginAt(i % 2 == 0 ? app.port() : second.port(), t.email(), "spread-" + i).then().statusCode(401);
            }
            loginAt(app.port(), t.email(), "spread-5").then().statusCode(429).body("code", equalTo("too_many_attempts"));
            loginAt(second.port(), t.email(), t.password()).then().statusCode(429);
        }
    }

    private Response signIn(String email, String password) {
        return loginAt(app.port(), email, password);
    }

    private static Response loginAt(int port, String email, String password) {
        return validated(port).contentType("application/json").body(Map.of("email", email, "password", password))
                .post("/auth/v1/login");
    }

    private Response issue(String clientId, String secret) {
        return given().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", secret).post("/auth/issue");
    }
}
