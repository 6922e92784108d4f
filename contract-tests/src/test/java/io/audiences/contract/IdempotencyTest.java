package io.audiences.contract;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.audiences.server.Application;
import io.audiences.server.idempotency.Idempotency;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

import io.helidon.config.Config;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code Idempotency-Key} on every POST that creates or changes state: one execution per key, the first answer
 * replayed byte for byte, 409 {@code idempotency_in_progress} while the first request runs, 422 for another request
 * with the key, nothing kept from a failed request, 24 hours of retention, a dead request's claim taken over after its
 * lease; and the same guarantee when 8 threads send the same key at the same instant, to one instance or (PostgreSQL)
 * to two instances on one database. Executions are counted in the database, not inferred from the answers.
 */
class IdempotencyTest extends AudienceTestBase {

    private static final String KEY = "Idempotency-Key";
    private static final int THREADS = 8;
    /** Issue 9 measured 4 of 20 trials creating two audiences; the other operations get fewer trials each. */
    private static final int AUDIENCE_TRIALS = 20;
    private static final int OTHER_TRIALS = 5;
    /** Issue 9 measured 8 of 30 trials creating several audiences with three instances on one PostgreSQL. */
    private static final int TWO_INSTANCE_TRIALS = 30;
    private static final String MISSING_AUDIENCE = "999999999";
    private static final String PUBLIC_CORE = "/public/core";

    private final MovableClock clock = new MovableClock();
    private Tenant tenant;
    /** The bearer token requests carry (renewed while the clock is moved a day ahead). */
    private String token;
    /** The credentials of an app of the tenant, sent beside the JWT under /public/core. */
    private String appClientId;
    private String appClientSecret;

    @Override
    protected Clock clock() {
        return clock;
    }

    @BeforeAll
    void createTenant() {
        tenant = tenant("Idempotency");
        token = tenant.token();
        var created = as(token).body(Map.of("name", "Idempotency core app")).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        appClientId = created.getString("response.client_id");
        appClientSecret = created.getString("response.client_secret");
    }

    @AfterEach
    void resetClock() {
        clock.set(Duration.ZERO);
        token = tenant.token();
    }

    // ------------------------------------------------------------------------------------------- the operations

    /** One state-changing POST as these tests drive it, its success status, and fresh subjects (an audience to pause...). */
    record Operation(String id, int status, Supplier<Subject> subject) {
        @Override
        public String toString() {
            return id;
        }
    }

    /** Something to change: the request, another request of the same operation, and how often the change happened. */
    record Subject(Sender sender, LongSupplier executions) { }

    @FunctionalInterface
    interface Sender {
        /** Sends the request to the instance on {@code port}; {@code other} changes its body or path. */
        Response send(int port, String key, boolean other);
    }

    List<Operation> operations() {
        List<Operation> operations = new java.util.ArrayList<>(List.of(
                named("createOrganization", "/api/v1/organizations", "organization"),
                named("createProject", "/api/v1/projects", "project"),
                user("createUser", "/api/v1/users"),
                named("createApiClient", "/client/v1", "api_client"),
                new Operation("rotateApiKey", 201, () -> {
                    UUID client = UUID.fromString(apiClient(token, unique("Rotated"), true).clientId());
                    return new Subject((port, key, other) -> post(port, key, "/client/v1/" + client + "/keys",
                            Map.of("revoke_existing", other)),
                            () -> count("SELECT count(*) FROM api_key WHERE client_id = ?", client) - 1);
                }),
                named("createApp", "/api/app/create", "app"),
                named("createTopicRequest", "/taxonomy/topic-requests", "topic_request"),
                new Operation("createWebhook", 201, () -> {
                    String url = "https://hooks.example.com/" + UUID.randomUUID();
                    return new Subject((port, key, other) -> post(port, key, "/api/v1/webhooks",
                            Map.of("url", url, "events", List.of(other ? "audience.paused" : "audience.deleted"))),
                            () -> count("SELECT count(*) FROM webhook_endpoint WHERE url = ?", url));
                }),
                appChange("rotateAppSecret", "/api/app/rotate", "app.secret_rotated"),
                new Operation("createAudience", 201, () -> {
                    String name = unique("Audience");
                    return new Subject((port, key, other) -> post(port, key, "/api/v1/audiences",
                            persona(other ? name + " 2" : name)),
                            () -> count("SELECT count(*) FROM audience WHERE name = ?", name));
                }),
                new Operation("refreshAudience", 200, () -> {
                    // A built audience: refreshing it queues one more build.
                    long id = create(tenant, persona(unique("Refreshed")));
                    await(tenant, id, "Completed");
                    return new Subject((port, key, other) -> post(port, key, transition(id, other, "refresh"), null),
                            () -> count("SELECT count(*) FROM audience_build WHERE audience_id = ?", id) - 1);
                }),
                new Operation("pauseAudience", 200, () -> {
                    long id = create(tenant, persona(unique("Paused")));
                    return new Subject((port, key, other) -> post(port, key, transition(id, other, "pause"), null),
                            () -> count("SELECT count(*) FROM audience WHERE id = ? AND paused_at IS NOT NULL", id));
                }),
                new Operation("resumeAudience", 200, () -> {
                    long id = create(tenant, persona(unique("Resumed")));
                    post(app.port(), null, transition(id, false, "pause"), null).then().statusCode(200);
                    return new Subject((port, key, other) -> post(port, key, transition(id, other, "resume"), null),
                            () -> count("SELECT count(*) FROM audience WHERE id = ? AND paused_at IS NULL", id));
                })));
        // The same POSTs under Delivr's Public Core base path (with the app credentials beside the JWT, see post).
        operations.addAll(List.of(
                named("publicCoreCreateOrganization", PUBLIC_CORE + "/api/v1/organizations", "organization"),
                named("publicCoreCreateProject", PUBLIC_CORE + "/api/v1/projects", "project"),
                user("publicCoreCreateUser", PUBLIC_CORE + "/api/v1/users"),
                named("publicCoreCreateApp", PUBLIC_CORE + "/api/app/create", "app"),
                appChange("publicCoreRotateAppSecret", PUBLIC_CORE + "/api/app/rotate", "app.secret_rotated")));
        return operations;
    }

    /** A user creation; executions are users with its email. */
    private Operation user(String id, String path) {
        return new Operation(id, 201, () -> {
            String email = unique("user").replace(' ', '-') + "@example.com";
            return new Subject((port, key, other) -> post(port, key, path,
                    Map.of("email", email, "first_name", other ? "Other" : "Ana", "last_name", "Ruiz")),
                    () -> count("SELECT count(*) FROM app_user WHERE email = ?", email));
        });
    }

    /** A create whose body is a name; executions are rows of {@code table} with that name. */
    private Operation named(String id, String path, String table) {
        return new Operation(id, 201, () -> {
            String name = unique(table);
            return new Subject((port, key, other) -> post(port, key, path, Map.of("name", other ? name + " 2" : name)),
                    () -> count("SELECT count(*) FROM " + table + " WHERE name = ?", name));
        });
    }

    /**
     * A change of a fresh app ({@code <path>/{app_id}}, no body); executions are its audit events. The other request
     * names another (missing) app.
     */
    private Operation appChange(String id, String path, String action) {
        return new Operation(id, 200, () -> {
            String appId = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                    .body(Map.of("name", unique("App"))).post("/api/app/create").then().statusCode(201)
                    .extract().path("response.app_id");
            return new Subject((port, key, other) -> post(port, key, path + "/"
                    + (other ? UUID.randomUUID().toString() : appId), null),
                    () -> count("SELECT count(*) FROM audit_event WHERE action = ? AND target_id = ?", action, appId));
        });
    }

    /** The path of refresh, pause or resume; the other request names another (missing) audience. */
    private static String transition(long id, boolean other, String verb) {
        return "/api/v1/audiences/" + (other ? MISSING_AUDIENCE : Long.toString(id)) + "/" + verb;
    }

    private static Map<String, Object> persona(String name) {
        return Map.of("name", name, "type", "elixir", "filter", and(rule("company_employee_count", "gte", 51)));
    }

    private static String unique(String prefix) {
        return prefix + " " + UUID.randomUUID();
    }

    private Response post(int port, String key, String path, Object body) {
        RequestSpecification spec = given().port(port).contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + token)
                .header("X-Project-Id", tenant.project().id().toString());
        if (key != null) {
            spec = spec.header(KEY, key);
        }
        if (path.startsWith(PUBLIC_CORE)) {
            spec = spec.header("X-Delivr-Client-ID", appClientId).header("X-Delivr-Client-Secret", appClientSecret);
        }
        if (body != null) {
            spec = spec.body(body);
        }
        return spec.post(path);
    }

    private long count(String sql, Object... params) {
        try (Connection c = app.database().connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------- one request at a time

    @ParameterizedTest
    @MethodSource("operations")
    void aRetryGetsTheFirstAnswerByteForByteAndChangesNothing(Operation op) {
        Subject subject = op.subject().get();
        String key = UUID.randomUUID().toString();
        Response first = subject.sender().send(app.port(), key, false);
        assertThat(first.asString(), first.statusCode(), is(op.status()));
        assertThat(first.header("Idempotent-Replayed"), nullValue());
        assertThat(subject.executions().getAsLong(), is(1L));

        Response replay = subject.sender().send(app.port(), key, false);
        assertReplays(replay, first);
        assertThat(subject.executions().getAsLong(), is(1L));

        subject.sender().send(app.port(), key, true).then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("idempotency_key_reused"));
        assertThat(subject.executions().getAsLong(), is(1L));
    }

    @ParameterizedTest
    @MethodSource("operations")
    void aRetryWhileTheFirstRequestRunsIs409UntilItEnds(Operation op) {
        Subject subject = op.subject().get();
        String key = UUID.randomUUID().toString();
        // The key is held exactly as a request in flight on another instance holds it.
        Idempotency.Owned inFlight = (Idempotency.Owned) app.idempotency().claim(tenant.organization().id(), key, "f".repeat(64));

        subject.sender().send(app.port(), key, false).then().statusCode(409).contentType("application/problem+json")
                .header("Retry-After", "1").body("code", equalTo("idempotency_in_progress"));
        assertThat(subject.executions().getAsLong(), is(0L));

        // That request failed: it changed nothing and frees the key, so the retry runs.
        app.idempotency().release(inFlight);
        Response retried = subject.sender().send(app.port(), key, false);
        assertThat(retried.asString(), retried.statusCode(), is(op.status()));
        assertThat(subject.executions().getAsLong(), is(1L));
    }

    @Test
    void aRefusedRequestKeepsNothingSoTheSameKeyWorksOnceFixed() {
        String key = UUID.randomUUID().toString();
        // Invalid input: nothing claimed.
        post(app.port(), key, "/api/v1/organizations", Map.of("name", "")).then().statusCode(400);
        String name = unique("Fixed");
        post(app.port(), key, "/api/v1/organizations", Map.of("name", name)).then().statusCode(201)
                .header("Idempotent-Replayed", nullValue());

        // A conflict with the current state: the key is released, and once the conflict is gone the retry runs.
        long id = create(tenant, persona(unique("Conflict")));
        post(app.port(), null, transition(id, false, "pause"), null).then().statusCode(200);
        String pauseKey = UUID.randomUUID().toString();
        post(app.port(), pauseKey, transition(id, false, "pause"), null).then().statusCode(409)
                .body("code", equalTo("audience_already_paused"));
        post(app.port(), null, transition(id, false, "resume"), null).then().statusCode(200);
        post(app.port(), pauseKey, transition(id, false, "pause"), null).then().statusCode(200)
                .header("Idempotent-Replayed", nullValue()).body("pause_reason", equalTo("manual"));
        post(app.port(), pauseKey, transition(id, false, "pause"), null).then().statusCode(200)
                .header("Idempotent-Replayed", "true");
    }

    @Test
    void aKeyReplaysForADayThenCountsAsNewAndIsPruned() {
        Subject subject = operations().getFirst().subject().get();
        String key = UUID.randomUUID().toString();
        Response first = subject.sender().send(app.port(), key, false);
        first.then().statusCode(201);

        clock.advance(Duration.ofHours(23));
        token = login(tenant.email(), tenant.password());
        assertReplays(subject.sender().send(app.port(), key, false), first);

        clock.advance(Duration.ofHours(2));
        token = login(tenant.email(), tenant.password());
        // Past 24 hours the key is free: another request with it runs instead of answering 422.
        subject.sender().send(app.port(), key, true).then().statusCode(201).header("Idempotent-Replayed", nullValue());
        long kept = count("SELECT count(*) FROM idempotent_request WHERE organization_id = ?", tenant.organization().id());
        clock.advance(Duration.ofHours(25));
        assertThat(app.idempotency().prune(), greaterThanOrEqualTo(kept));
        assertThat(count("SELECT count(*) FROM idempotent_request WHERE organization_id = ?", tenant.organization().id()),
                is(0L));
    }

    @Test
    void theClaimOfARequestThatDiedIsTakenOverAfterItsLeaseAndItsLateCommitIsRefused() {
        Subject subject = operations().getFirst().subject().get();
        String key = UUID.randomUUID().toString();
        Idempotency.Owned dead = (Idempotency.Owned) app.idempotency().claim(tenant.organization().id(), key, "f".repeat(64));
        subject.sender().send(app.port(), key, false).then().statusCode(409).body("code", equalTo("idempotency_in_progress"));

        clock.advance(Idempotency.LEASE.plusSeconds(1));
        Response first = subject.sender().send(app.port(), key, false);
        first.then().statusCode(201).header("Idempotent-Replayed", nullValue());
        // The presumed-dead request wakes up and tries to commit: its claim is gone, so its change rolls back.
        DomainException refused = assertThrows(DomainException.class, () -> app.database().inTransaction(tx -> {
            app.idempotency().complete(tx, dead, Reply.json(201, Map.of("stale", true)));
            return null;
        }));
        assertThat(refused.code(), is(ErrorCode.IDEMPOTENCY_IN_PROGRESS));
        assertReplays(subject.sender().send(app.port(), key, false), first);
        assertThat(subject.executions().getAsLong(), is(1L));
    }

    private static void assertReplays(Response replay, Response first) {
        assertThat(replay.asString(), replay.statusCode(), is(first.statusCode()));
        assertThat(replay.header("Idempotent-Replayed"), is("true"));
        assertThat(replay.contentType(), is(first.contentType()));
        assertThat(replay.header("Location"), is(first.header("Location")));
        assertThat(replay.header("ETag"), is(first.header("ETag")));
        assertThat("byte-identical body", Arrays.equals(replay.asByteArray(), first.asByteArray()), is(true));
    }

    // ------------------------------------------------------------------------------------------- at the same instant

    @ParameterizedTest
    @MethodSource("operations")
    void eightThreadsWithTheSameKeyRunItOnce(Operation op) throws Exception {
        race(op, op.id().equals("createAudience") ? AUDIENCE_TRIALS : OTHER_TRIALS, List.of(app.port()));
    }

    @Test
    void twoInstancesOnOneDatabaseRunEachKeyOnce() throws Exception {
        Assumptions.assumeTrue(TestDatabase.postgres(), "two processes cannot share one embedded H2 file");
        Config config = serverConfig();
        // Same database and data directory (so the same server key, as AUDIENCES_JWT_SECRET would give).
        try (Application second = Application.create(config, clock).start(config.get("server"))) {
            Operation createAudience = operations().stream().filter(op -> op.id().equals("createAudience")).findFirst()
                    .orElseThrow();
            race(createAudience, TWO_INSTANCE_TRIALS, List.of(app.port(), second.port()));
        }
    }

    /** One answer of a race. */
    private record Answer(int status, byte[] body, String replayed, String location, String etag, String code,
                          String retryAfter) {
        static Answer of(Response r) {
            boolean problem = r.contentType().startsWith("application/problem+json");
            return new Answer(r.statusCode(), r.asByteArray(), r.header("Idempotent-Replayed"), r.header("Location"),
                    r.header("ETag"), problem ? r.path("code") : null, r.header("Retry-After"));
        }

        boolean success() {
            return status >= 200 && status < 300;
        }

        boolean inProgress() {
            return status == 409 && "idempotency_in_progress".equals(code) && "1".equals(retryAfter);
        }

        boolean replays(Answer first) {
            return status == first.status && "true".equals(replayed) && Arrays.equals(body, first.body)
                    && Objects.equals(location, first.location) && Objects.equals(etag, first.etag);
        }
    }

    /**
     * {@code trials} times: a fresh subject, {@value #THREADS} threads released together by a barrier send the same key
     * and request (spread over {@code ports}); exactly one execution, one first answer, every other answer its replay
     * or 409 {@code idempotency_in_progress}; then a retry replays it.
     */
    private void race(Operation op, int trials, List<Integer> ports) throws Exception {
        List<String> failures = new ArrayList<>();
        int duplicated = 0;
        int replays = 0;
        int inProgress = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int trial = 0; trial < trials; trial++) {
                Subject subject = op.subject().get();
                String key = UUID.randomUUID().toString();
                CyclicBarrier start = new CyclicBarrier(THREADS);
                List<Future<Answer>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int port = ports.get(t % ports.size());
                    futures.add(pool.submit(() -> {
                        start.await();
                        return Answer.of(subject.sender().send(port, key, false));
                    }));
                }
                List<Answer> answers = new ArrayList<>();
                for (Future<Answer> f : futures) {
                    answers.add(f.get());
                }
                long executions = subject.executions().getAsLong();
                List<Answer> firsts = answers.stream().filter(a -> a.success() && a.replayed() == null).toList();
                if (executions != 1) {
                    duplicated++;
                }
                String statuses = answers.stream().map(a -> a.status() + (a.code() == null ? "" : " " + a.code())
                        + ("true".equals(a.replayed()) ? " replayed" : "")).toList().toString();
                if (executions != 1 || firsts.size() != 1) {
                    failures.add("trial " + trial + ": " + executions + " executions, answers " + statuses);
                    continue;
                }
                Answer first = firsts.getFirst();
                for (Answer a : answers) {
                    if (a != first && !a.replays(first) && !a.inProgress()) {
                        failures.add("trial " + trial + ": unexpected answer among " + statuses + ": " + a.status() + " "
                                + new String(a.body(), StandardCharsets.UTF_8));
                    }
                }
                replays += (int) answers.stream().filter(a -> a != first && a.replays(first)).count();
                inProgress += (int) answers.stream().filter(Answer::inProgress).count();
                Answer retry = Answer.of(subject.sender().send(ports.getFirst(), key, false));
                if (!retry.replays(first)) {
                    failures.add("trial " + trial + ": the retry after the race did not replay: " + retry.status());
                }
            }
        }
        System.out.printf("IDEMPOTENCY %s on %s, %d instance(s): %d trials x %d threads, %d with a duplicate execution; "
                        + "other answers: %d replays, %d idempotency_in_progress%n", op.id(), TestDatabase.engine(),
                ports.size(), trials, THREADS, duplicated, replays, inProgress);
        assertThat(op.id() + " on " + ports.size() + " instance(s)", failures, is(empty()));
    }
}
