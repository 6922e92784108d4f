package io.audiences.contract;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The database goes away under load and comes back, with the server left running: its own PostgreSQL cluster
 * stopped with {@code pg_ctl stop -m immediate}, or on the H2 run the H2 TCP server the database is reached
 * through (see {@link StoppableDatabase}). While it is down, every operation that needs it answers 503
 * {@code database_unavailable} with {@code Retry-After} within 2 s, readiness says so at once and liveness stays
 * up; once it is back, the server serves again without a restart, no acknowledged write is missing, and a build
 * the outage interrupted completes exactly once.
 */
@Isolated
class OutageTest extends AudienceTestBase {

    private static final long FAST_NANOS = 2_000_000_000L;
    /** How long each build keeps its snapshot transaction open, so one is surely mid-build when the database stops. */
    private static final String SNAPSHOT_HOLD = "PT3S";

    private final StoppableDatabase stoppable = StoppableDatabase.start("outage");
    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.db.url", stoppable.url());
        overrides.put("audiences.db.user", stoppable.user());
        overrides.put("audiences.db.password", stoppable.password());
        overrides.put("audiences.builds.test-snapshot-hold", SNAPSHOT_HOLD);
        return overrides;
    }

    @AfterAll
    void stopDatabase() {
        app.close();
        stoppable.close();
    }

    @Test
    void outageAnswers503FastAndRecoversWithoutRestartLosingNothing() throws Exception {
        Tenant t = tenant("Outage");
        new UpstreamFixture(11, 40, LocalDate.now(ZoneOffset.UTC), 3).write(app.database(), 0);
        ApiClient key = apiClient(t.token(), "outage", true);
        Map<String, Object> filter = and(rule("seniority_level", "in", List.of("director", "vp", "cxo")));
        long control = create(t, Map.of("name", "Control", "type", "elixir", "filter", filter));
        long controlRecords = await(t, control, "Completed").getLong("record_count");
        assertThat(controlRecords, greaterThan(0L));
        double before = throughput(t, control, 200);
        Writer writer = new Writer(t.token());
        writer.start();
        long interrupted = create(t, Map.of("name", "Interrupted", "type", "elixir", "filter", filter));
        await(t, interrupted, "Syncing"); // inside its snapshot transaction, held open for SNAPSHOT_HOLD

        long stoppedAt = System.nanoTime();
        stoppable.stop();
        long readyDownNanos = awaitReadiness(503) - stoppedAt;
        given().get("/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/health").then().statusCode(503).body("status", equalTo("DOWN")).body("database", equalTo("DOWN"));
        given().get("/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'database' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'database' }.details.error", org.hamcrest.Matchers.notNullValue());

        List<String> slowOrWrong = new ArrayList<>();
        int swept = 0;
        for (SpecOperations.Op op : SpecOperations.all()) {
            if (!op.documents(503) || !op.operation().getResponses().get("503").getContent()
                    .containsKey("application/problem+json")) {
                continue; // the probes and /health answer 503 with their own report, checked above
            }
            long started = System.nanoTime();
            Response r = request(op, t.token(), key).request(op.method(), op.samplePath());
            long took = System.nanoTime() - started;
            swept++;
            if (r.statusCode() != 503 || !"database_unavailable".equals(r.jsonPath().getString("code"))
                    || !"2".equals(r.header("Retry-After")) || took > FAST_NANOS) {
                slowOrWrong.add(op.id() + ": " + r.statusCode() + " " + r.jsonPath().getString("code") + " Retry-After="
                        + r.header("Retry-After") + " in " + took / 1_000_000 + " ms");
            }
        }
        assertThat("every operation that documents 503 answers it fast during the outage", slowOrWrong, is(empty()));
        assertThat(swept, greaterThan(30));
        double during = throughput(t, control, 503);
        Thread.sleep(Math.max(0, 5_000 - (System.nanoTime() - stoppedAt) / 1_000_000)); // a few seconds of outage

        stoppable.begin();
        long backAt = System.nanoTime();
        long readyAgainNanos = awaitReadiness(200) - backAt;
        writer.stop();
        // The pool still holds the connections of the stopped server: each is found dead and replaced on its next
        // borrow, which can take a new connection longer than the 1 s connection timeout on a loaded machine (one
        // 503 was seen in CI right after readiness). What must hold: reads succeed again soon, without a restart.
        long firstReadNanos = awaitAudience(t, control) - backAt;
        assertThat("reads answer 200 again within 5 s of readiness", firstReadNanos - readyAgainNanos, lessThan(5_000_000_000L));
        System.out.printf("[outage %s] readiness down %d ms after the stop; GET audience %.0f req/s before, %.0f req/s "
                        + "(all 503) during; slowest answer during the outage %d ms; ready again %d ms after the restart; "
                        + "%d writes acknowledged, %d answered 503%n", TestDatabase.engine(), readyDownNanos / 1_000_000,
                before, during, writer.slowestDuringOutage.get() / 1_000_000, readyAgainNanos / 1_000_000,
                writer.acknowledged.size(), writer.unavailable.get());
        // Two failed background checks (0.5 s apart, each up to the 1 s connection timeout) make an outage: 3 s at worst,
        // plus the scheduling slack of a loaded machine (3.03 s was seen with two test JVMs on two cores).
        assertThat("readiness went down within 4 s", readyDownNanos, lessThan(4_000_000_000L));
        assertThat("writes answered within 2 s during the outage", writer.slowestDuringOutage.get(), lessThan(FAST_NANOS));
        assertThat("no write answered anything but 201 or 503", writer.other, is(empty()));
        assertThat(writer.unavailable.get(), greaterThan(0));

        // Nothing acknowledged is lost: every 201 is still there.
        for (String id : writer.acknowledged) {
            as(t.token()).get("/api/v1/organizations/" + id).then().statusCode(200).body("organization_id", equalTo(id));
        }
        // The build the outage interrupted was handed back and ran again, to the same members, exactly once.
        JsonPath done = await(t, interrupted, "Completed");
        assertThat(done.getLong("record_count"), is(controlRecords));
        try (Connection c = DriverManager.getConnection(stoppable.url(), stoppable.user(), stoppable.password());
             PreparedStatement ps = c.prepareStatement("SELECT status, attempts FROM audience_build WHERE audience_id = ?")) {
            ps.setLong(1, interrupted);
            List<String> builds = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    builds.add(rs.getString("status") + "/" + rs.getInt("attempts"));
                }
            }
            assertThat("one build, completed by the one attempt that counted", builds, equalTo(List.of("Completed/1")));
        }
    }

    /** A request that reaches the database: credentials it accepts (checked against the database) and a plausible body. */
    private RequestSpecification request(SpecOperations.Op op, String token, ApiClient key) {
        RequestSpecification spec = json().body("{}");
        if (op.accepts("bearerAuth")) {
            spec = spec.header("Authorization", "Bearer " + token);
        } else if (op.accepts("apiKey")) {
            spec = spec.header("X-Api-Key", key.apiKey()).header("X-Api-Secret", key.apiSecret());
        } else if (op.id().equals("login")) {
            spec = spec.body(Map.of("email", "someone@example.com", "password", "a password"));
        } else if (op.baseId().equals("issueAppToken")) {
            spec = spec.header("X-Delivr-Client-ID", "client_0123456789abcdef").header("X-Delivr-Client-Secret", "secret_x");
        }
        return spec;
    }

    /**
     * Polls readiness until it answers {@code status}; returns when (System.nanoTime). A plain HTTP client, so the
     * time measured is the server's and not the contract validation's (the answers are validated above and below).
     */
    /** When GET of the audience first answers 200 (within 30 s), asked every 20 ms; any answer but 200 or 503 fails. */
    private long awaitAudience(Tenant t, long audience) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            Response r = as(t.token()).queryParam("project_id", t.project().id().toString()).get("/api/v1/audiences/" + audience);
            if (r.statusCode() == 200) {
                return System.nanoTime();
            }
            assertThat(r.asString(), r.statusCode(), is(503));
            Thread.sleep(20);
        }
        throw new AssertionError("GET of the audience never answered 200 after the database came back");
    }

    private long awaitReadiness(int status) throws Exception {
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/health/ready")).build();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            long started = System.nanoTime();
            int answered = http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat("readiness answers within 1 s", System.nanoTime() - started, lessThan(1_000_000_000L));
            if (answered == status) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        fail("readiness never answered " + status);
        return 0;
    }

    /** GET of an audience by 4 callers for one second; requests per second, each answering {@code expected}. */
    private double throughput(Tenant t, long audience, int expected) throws InterruptedException {
        AtomicInteger answered = new AtomicInteger();
        List<String> wrong = new ArrayList<>();
        long end = System.nanoTime() + 1_000_000_000L;
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            callers.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    int status = as(t.token()).queryParam("project_id", t.project().id().toString())
                            .get("/api/v1/audiences/" + audience).then().extract().statusCode();
                    if (status == expected) {
                        answered.incrementAndGet();
                    } else {
                        synchronized (wrong) {
                            wrong.add(Integer.toString(status));
                        }
                    }
                }
            }));
        }
        for (Thread c : callers) {
            c.join();
        }
        assertThat("every answer was " + expected, wrong, is(empty()));
        return answered.get();
    }

    /** Creates organizations one after another; remembers which were acknowledged and how the rest were answered. */
    private final class Writer {
        final List<String> acknowledged = new ArrayList<>();
        final List<String> other = new ArrayList<>();
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicLong slowestDuringOutage = new AtomicLong();
        private final Map<String, Boolean> seen = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final String token;
        private Thread thread;

        Writer(String token) {
            this.token = token;
        }

        void start() {
            thread = Thread.ofPlatform().name("outage-writer").start(() -> {
                int n = 0;
                while (running.get()) {
                    long started = System.nanoTime();
                    Response r = as(token).body(Map.of("name", "Written " + n++)).post("/api/v1/organizations");
                    long took = System.nanoTime() - started;
                    if (r.statusCode() == 201) {
                        String id = r.jsonPath().getString("organization_id");
                        if (seen.putIfAbsent(id, true) == null) {
                            acknowledged.add(id);
                        }
                    } else if (r.statusCode() == 503) {
                        unavailable.incrementAndGet();
                        slowestDuringOutage.accumulateAndGet(took, Math::max);
                    } else {
                        other.add(r.statusCode() + " " + r.asString());
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }
}
