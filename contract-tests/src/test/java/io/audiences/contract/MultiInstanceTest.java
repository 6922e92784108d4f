package io.audiences.contract;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

import io.audiences.server.Application;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.Upstream;
import io.audiences.server.upstream.UpstreamWriter;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three packaged server processes on one PostgreSQL database behind HAProxy (round robin) behave as one service:
 * a tenant gets the documented rate limit whatever the number of instances, each build runs exactly once, a revoked
 * key is refused by every instance on the next request, and killing one instance with SIGKILL under a write load
 * loses no acknowledged write while a peer takes its builds over. PostgreSQL only: the H2 file is single-process.
 */
@Isolated
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceTest {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    /** The documented default limit the instances run with. */
    private static final int PER_SECOND = 25;
    private static final int BURST = 50;

    private final List<PackagedServer> instances = new ArrayList<>();
    private LoadBalancer balancer;
    private SyntheticData data;
    private final Map<String, Tenant> tenants = new HashMap<>();

    /** An organization with a project, an API key pair and a user, created in-process before the instances start. */
    private record Tenant(Organization org, Project project, String clientId, String keyId, String apiKey,
                          String apiSecret, String email) { }

    private static final String PASSWORD = "multi-instance-password";

    @BeforeAll
    void startDeployment() throws Exception {
        Assumptions.assumeTrue(TestDatabase.postgres(),
                "several instances share one PostgreSQL database; this test runs in the postgres execution");
        LoadBalancer.binary();
        PackagedServer first = PackagedServer.create("multi-a");
        instances.add(first);
        instances.add(first.peer("multi-b"));
        instances.add(first.peer("multi-c"));
        data = new SyntheticData(new SyntheticData.Spec(11, 20_000, 14, TODAY, 400_000, 200));
        ExecutorService starting = Executors.newFixedThreadPool(instances.size());
        try (Application app = Application.create(first.config(Map.of()), Clock.SYSTEM)) {
            for (String name : List.of("warm-up", "rate-1", "rate-2", "rate-3", "builds", "revocation", "renders",
                    "writes", "takeover")) {
                tenants.put(name, tenant(app, name));
            }
            // The instances start while the upstream data (needed from the build checks on) is written.
            List<Future<?>> started = new ArrayList<>();
            for (PackagedServer instance : instances) {
                started.add(starting.submit(() -> {
                    instance.start("-Xmx256m", "-Daudiences.builds.lease=PT3S", "-Daudiences.builds.poll-interval=PT0.2S");
                    return null;
                }));
            }
            new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 0, Progress.silent());
            for (Future<?> f : started) {
                f.get();
            }
        } finally {
            starting.shutdownNow();
        }
        // Frontend 0: all three instances; 1: the first two; 2: the third alone (1 and 2 can run side by side).
        balancer = LoadBalancer.start(List.of(List.of(port(0), port(1), port(2)), List.of(port(0), port(1)),
                List.of(port(2))));
        // A cold instance answers its first requests late; the measured tenant's first request starts its bucket.
        paced(balancer.port(0), tenants.get("warm-up"), 100, 2);
    }

    private static Tenant tenant(Application app, String name) {
        Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, "Multi " + name,
                Optional.empty()));
        Project project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), name));
        CredentialService.NewClient client = app.database().inTransaction(tx ->
                app.credentials().createClient(tx, org.id(), name, true, "read_write"));
        String email = name + "-" + UUID.randomUUID() + "@example.com";
        app.database().inTransaction(tx -> app.credentials().createUser(tx, org.id(), email, "Multi", "Instance",
                Optional.of(PASSWORD)));
        return new Tenant(org, project, client.client().id().toString(), client.key().keyId().toString(),
                client.key().apiKey(), client.key().apiSecret(), email);
    }

    @AfterAll
    void stopDeployment() {
        if (balancer != null) {
            balancer.close();
        }
        // Peers first: the first instance drops the database.
        for (int i = instances.size() - 1; i >= 0; i--) {
            instances.get(i).close();
        }
    }

    private int port(int instance) {
        return instances.get(instance).port();
    }

    private static RequestSpecification at(int port) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(port).contentType(ContentType.JSON);
    }

    private static RequestSpecification withKey(int port, Tenant t) {
        return at(port).header("X-Api-Key", t.apiKey()).header("X-Api-Secret", t.apiSecret())
                .header("X-Project-Id", t.project().id().toString());
    }

    /** The tenant's user, logged in through the balancer. */
    private User user(Tenant t) {
        String token = at(balancer.port(0)).body(Map.of("email", t.email(), "password", PASSWORD))
                .post("/auth/v1/login").then().statusCode(200).extract().path("token");
        return new User(balancer.port(0), token, t.project().id().toString());
    }

    /** A user token; each call of {@link #request} is a new specification, so threads can share it. */
    private record User(int port, String token, String projectId) {

        RequestSpecification request() {
            return at(port).header("Authorization", "Bearer " + token).header("X-Project-Id", projectId);
        }
    }

    // ------------------------------------------------------------------------------------------------ rate limit

    /** Answers to one tenant's paced load. */
    private record Tally(int ok, int limited, Map<String, Integer> other, double seconds, Map<String, Integer> byInstance) {

        double expected() {
            return BURST + PER_SECOND * seconds;
        }
    }

    /**
     * Issue 9's row: one tenant at 100 requests/s for 10 s through 3 instances, then (side by side, on other tenants
     * and disjoint instances) through 2 and through 1, gets the documented 25/s with a burst of 50, within 10 %,
     * spread round robin over the instances; before the limit was shared the same load got 299, 598 and 895.
     */
    @Test
    @Order(1)
    void rateLimitHoldsForTheTenantWhateverTheNumberOfInstances() {
        List<String> failures = new ArrayList<>(check(List.of(CompletableFuture.completedFuture(
                paced(balancer.port(0), tenants.get("rate-3"), 100, 10))), 3));
        failures.addAll(check(List.of(
                CompletableFuture.supplyAsync(() -> paced(balancer.port(1), tenants.get("rate-2"), 100, 10)),
                CompletableFuture.supplyAsync(() -> paced(balancer.port(2), tenants.get("rate-1"), 100, 10))), 2));
        assertThat(failures + "\n" + severeLogs(), failures, is(empty()));
    }

    /** The failures among runs through {@code size}, {@code size - 1}, ... instances. */
    private static List<String> check(List<CompletableFuture<Tally>> runs, int size) {
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<Tally> run : runs) {
            Tally tally = run.join();
            String line = String.format("%d instance(s): %d x 200, %d x 429, other %s in %.2f s (documented: %.0f), "
                            + "by instance %s", size, tally.ok(), tally.limited(), tally.other(), tally.seconds(),
                    tally.expected(), tally.byInstance());
            System.out.println("rate limit, " + line);
            if (!tally.other().isEmpty() || Math.abs(tally.ok() - tally.expected()) > 0.1 * tally.expected()
                    || tally.byInstance().size() != size
                    || Collections.min(tally.byInstance().values()) < 1000 / size / 2) {
                failures.add(line);
            }
            size--;
        }
        return failures;
    }

    /** What the instances logged as SEVERE (unexpected failures, with their stack traces). */
    private String severeLogs() {
        StringBuilder sb = new StringBuilder();
        for (PackagedServer instance : instances) {
            String[] lines = instance.logs().split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].contains(" SEVERE ")) {
                    for (int j = i; j < Math.min(lines.length, i + 40); j++) {
                        sb.append(lines[j]).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    /** {@code perSecond} GETs a second for {@code seconds} s, each sent on schedule whatever the previous answers. */
    private static Tally paced(int port, Tenant t, int perSecond, int seconds) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/projects"))
                .header("X-Api-Key", t.apiKey()).header("X-Api-Secret", t.apiSecret())
                .timeout(Duration.ofSeconds(30)).build();
        int total = perSecond * seconds;
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
        long start = System.nanoTime();
        long last = start;
        for (int i = 0; i < total; i++) {
            long due = start + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            last = System.nanoTime();
            sent.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }
        int ok = 0;
        int limited = 0;
        Map<String, Integer> other = new HashMap<>();
        Map<String, Integer> byInstance = new ConcurrentHashMap<>();
        for (CompletableFuture<HttpResponse<Void>> f : sent) {
            try {
                HttpResponse<Void> r = f.join();
                r.headers().firstValue(LoadBalancer.INSTANCE_HEADER).ifPresent(i -> byInstance.merge(i, 1, Integer::sum));
                switch (r.statusCode()) {
                    case 200 -> ok++;
                    case 429 -> limited++;
                    default -> other.merge(Integer.toString(r.statusCode()), 1, Integer::sum);
                }
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                other.merge(cause.getClass().getSimpleName(), 1, Integer::sum);
            }
        }
        return new Tally(ok, limited, other, (last - start) / 1e9, byInstance);
    }

    // ------------------------------------------------------------------------------------------------ builds

    @Test
    @Order(2)
    void eachBuildRunsExactlyOnce() throws Exception {
        Tenant t = tenants.get("builds");
        User user = user(t);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(createAudience(user, "Once " + i, topics(i * 5, 5)));
        }
        awaitCompleted(ids, Duration.ofSeconds(60));
        try (Connection c = instances.getFirst().database().connect()) {
            for (long id : ids) {
                List<Build> builds = builds(c, id);
                assertThat("audience " + id + " has one build", builds.size(), is(1));
                Build b = builds.getFirst();
                assertThat(b.status(), is("Completed"));
                assertThat("claimed once, by one instance", b.attempts(), is(1));
                assertThat("its snapshot holds each member once", members(c, id), is(recordCount(c, id)));
            }
            System.out.println("builds: claimed by " + owners(c, ids) + ", took " + durations(c, ids) + " ms");
        }
    }

    // ------------------------------------------------------------------------------------------------ revocation

    @Test
    @Order(3)
    void aRevokedKeyIsRefusedByEveryInstanceOnTheNextRequest() {
        Tenant t = tenants.get("revocation");
        for (int i = 0; i < instances.size(); i++) {
            withKey(port(i), t).get("/api/v1/projects").then().statusCode(200);
        }
        user(t).request().delete("/client/v1/" + t.clientId() + "/keys/" + t.keyId()).then().statusCode(204);
        for (int i = 0; i < instances.size(); i++) {
            withKey(port(i), t).get("/api/v1/projects").then().statusCode(401)
                    .contentType("application/problem+json");
        }
    }

    /**
     * Every instance caches an audience's rendering by its version and reads that version from the shared database
     * on each GET: a change written through one instance is what every instance answers next, however warm its cache.
     */
    @Test
    @Order(4)
    void aChangeWrittenThroughOneInstanceIsWhatEveryInstanceAnswersNext() {
        Tenant t = tenants.get("renders");
        long id = withKey(port(0), t).body(audience("Rendered", topics(0, 1))).post("/api/v1/audiences").then()
                .statusCode(201).extract().jsonPath().getLong("id");
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < instances.size(); i++) {
                withKey(port(i), t).get("/api/v1/audiences/" + id).then().statusCode(200).body("name", is("Rendered"));
            }
        }
        withKey(port(1), t).body(Map.of("name", "Renamed")).patch("/api/v1/audiences/" + id).then().statusCode(200);
        for (int i = 0; i < instances.size(); i++) {
            withKey(port(i), t).get("/api/v1/audiences/" + id).then().statusCode(200).body("name", is("Renamed"));
        }
    }

    // ------------------------------------------------------------------------------------------------ idempotency

    /**
     * The place for issue 9's idempotency check across instances (deliverable 2, another branch): the same
     * {@code Idempotency-Key} and body sent at the same instant to each instance must create exactly one audience.
     */
    @Test
    @Order(5)
    void theSameIdempotencyKeyOnEveryInstanceCreatesOneAudience() throws Exception {
        Tenant t = tenants.get("builds");
        // Ten trials: before the key was claimed atomically, 8 of 30 such trials created two or three audiences.
        for (int trial = 0; trial < 10; trial++) {
            String key = UUID.randomUUID().toString();
            Map<String, Object> body = audience("Idempotent " + trial, topics(0, 1));
            List<CompletableFuture<Response>> sent = new ArrayList<>();
            for (int i = 0; i < instances.size(); i++) {
                int port = port(i);
                sent.add(CompletableFuture.supplyAsync(() -> withKey(port, t).header("Idempotency-Key", key)
                        .body(body).post("/api/v1/audiences")));
            }
            Set<Object> created = new HashSet<>();
            for (CompletableFuture<Response> f : sent) {
                Response r = f.get();
                if (r.statusCode() == 201) {
                    created.add(r.path("id"));
                } else {
                    assertThat(r.statusCode(), is(409));
                    assertThat(r.path("code"), is("idempotency_in_progress"));
                }
            }
            assertThat("trial " + trial, created.size(), is(1));
            assertThat("trial " + trial, audiencesNamed(t, "Idempotent " + trial), is(1L));
        }
    }

    /** How many of the tenant's audiences carry this name, over every page of the list. */
    private long audiencesNamed(Tenant t, String name) {
        long count = 0;
        String cursor = null;
        do {
            RequestSpecification request = withKey(port(0), t).queryParam("limit", 100);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/audiences").then().statusCode(200).extract().jsonPath();
            count += page.getList("audiences.name", String.class).stream().filter(name::equals).count();
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return count;
    }

    // ------------------------------------------------------------------------------------------------ kill -9

    /**
     * Writers create organizations, API clients and audiences through the balancer while another tenant queues
     * builds; the instance caught starting one of them is killed with SIGKILL. Every write that was acknowledged
     * (201) is in the database afterwards, and the builds the killed instance held are claimed again by a peer and
     * complete exactly once.
     */
    @Test
    @Order(6)
    void killingAnInstanceUnderWritesLosesNoAcknowledgedWriteAndAPeerTakesItsBuildsOver() throws Exception {
        Tenant takeover = tenants.get("takeover");
        Writers writers = new Writers(user(tenants.get("writes")));
        writers.start();
        Thread.sleep(1000);
        User builder = user(takeover);
        List<Long> queued = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> queueing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 6; i++) {
                // Not acknowledged if it reached the instance being killed (HAProxy answers 502): not counted.
                Response r = builder.request().body(audience("Slow " + i, topics(0, 200))).post("/api/v1/audiences");
                if (r.statusCode() == 201) {
                    queued.add(((Number) r.path("id")).longValue());
                }
            }
        });
        PackagedServer victim = null;
        List<Long> orphaned;
        try (Connection c = instances.getFirst().database().connect()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (victim == null && System.nanoTime() < deadline) {
                victim = instanceStartingABuild(c, takeover.project().id());
                if (victim == null) {
                    Thread.sleep(10);
                }
            }
            if (victim == null) {
                writers.stop();
                fail("no instance was caught starting a build");
            }
            victim.kill();
            // A dead process completes nothing: what it held now is exactly what it left unfinished.
            orphaned = unfinished(c, takeover.project().id(), victim.pid());
        }
        int beforeKill = writers.acknowledged();
        Thread.sleep(4000);
        writers.stop();
        queueing.join();
        int afterKill = writers.acknowledged() - beforeKill;
        System.out.printf("kill -9: pid %d left builds of audiences %s; writers: %d acknowledged up to the kill, %d after,"
                + " %d refused or failed%n", victim.pid(), orphaned, beforeKill, afterKill, writers.failed.get());
        assertThat("the killed instance held a build", orphaned, not(empty()));
        assertThat("writes acknowledged before the kill", beforeKill, greaterThanOrEqualTo(3));
        assertThat("writes acknowledged after the kill", afterKill, greaterThanOrEqualTo(3));

        awaitCompleted(queued, Duration.ofSeconds(60));
        try (Connection c = instances.getFirst().database().connect()) {
            assertThat("acknowledged organizations", missing(c, "organization", writers.organizations), is(empty()));
            assertThat("acknowledged API clients", missing(c, "api_client", writers.clients), is(empty()));
            assertThat("acknowledged audiences", missing(c, "audience", writers.audiences), is(empty()));
            for (long id : queued) {
                List<Build> builds = builds(c, id);
                assertThat(builds.size(), is(1));
                Build b = builds.getFirst();
                assertThat(b.status(), is("Completed"));
                assertThat("its snapshot holds each member once", members(c, id), is(recordCount(c, id)));
                if (orphaned.contains(id)) {
                    assertThat("taken over by a peer", b.owner(), not(startsWith("worker-" + victim.pid() + "-")));
                    assertThat("claimed again after the kill", b.attempts(), greaterThanOrEqualTo(2));
                }
            }
        }
        // A key created through the deployment before or after the kill works on the survivors.
        String[] pair = writers.keys.getLast();
        at(balancer.port(0)).header("X-Api-Key", pair[0]).header("X-Api-Secret", pair[1])
                .get("/api/v1/projects").then().statusCode(200);
    }

    /**
     * The instance running a build of this project that started a moment ago (so it will not finish before the kill
     * lands), or null.
     */
    private PackagedServer instanceStartingABuild(Connection c, UUID projectId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT b.lease_owner FROM audience_build b "
                + "JOIN audience a ON a.id = b.audience_id WHERE a.project_id = ? AND b.status = 'Processing' "
                + "AND b.started_at > CURRENT_TIMESTAMP - INTERVAL '0.2 seconds'")) {
            ps.setObject(1, projectId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (PackagedServer instance : instances) {
                        if (rs.getString(1).startsWith("worker-" + instance.pid() + "-")) {
                            return instance;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Audiences of this project whose build the given process holds without having completed it. */
    private static List<Long> unfinished(Connection c, UUID projectId, long pid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT b.audience_id FROM audience_build b "
                + "JOIN audience a ON a.id = b.audience_id WHERE a.project_id = ? AND b.status IN ('Processing', 'Syncing') "
                + "AND b.lease_owner LIKE ?")) {
            ps.setObject(1, projectId);
            ps.setString(2, "worker-" + pid + "-%");
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }
    }

    /** Three threads writing through the balancer until stopped, each at a pace within the tenant's limit. */
    private final class Writers {

        final List<String> organizations = Collections.synchronizedList(new ArrayList<>());
        final List<String> clients = Collections.synchronizedList(new ArrayList<>());
        final List<String> audiences = Collections.synchronizedList(new ArrayList<>());
        final List<String[]> keys = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final User user;
        private final List<Thread> threads = new ArrayList<>();

        Writers(User user) {
            this.user = user;
        }

        void start() {
            threads.add(Thread.ofPlatform().start(() -> loop(n -> {
                Response r = user.request().body(Map.of("name", "Org " + n)).post("/api/v1/organizations");
                return ack(r, organizations, "organization_id");
            })));
            threads.add(Thread.ofPlatform().start(() -> loop(n -> {
                Response r = user.request().body(Map.of("name", "Client " + n, "secret_enforced", true)).post("/client/v1");
                if (ack(r, clients, "client_id")) {
                    keys.add(new String[] {r.path("api_key"), r.path("api_secret")});
                    return true;
                }
                return false;
            })));
            threads.add(Thread.ofPlatform().start(() -> loop(n -> {
                Response r = user.request().body(audience("Write " + n, topics(n % 50, 1))).post("/api/v1/audiences");
                return ack(r, audiences, "id");
            })));
        }

        private boolean ack(Response r, List<String> into, String idField) {
            if (r.statusCode() != 201) {
                return false;
            }
            into.add(String.valueOf((Object) r.path(idField)));
            return true;
        }

        private void loop(IntPredicate write) {
            for (int n = 0; running.get(); n++) {
                try {
                    if (!write.test(n)) {
                        failed.incrementAndGet();
                    }
                } catch (RuntimeException connectionLost) {
                    failed.incrementAndGet();
                }
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int acknowledged() {
            return organizations.size() + clients.size() + audiences.size();
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Topic ids from {@code from} in popularity order, {@code count} of them. */
    private List<String> topics(int from, int count) {
        int[] byPopularity = data.topicKeysByPopularity();
        Map<Integer, String> ids = data.topics().stream()
                .collect(Collectors.toMap(Upstream.Topic::topicKey,
                        Upstream.Topic::id));
        List<String> topics = new ArrayList<>();
        for (int i = from; i < from + count && i < byPopularity.length; i++) {
            topics.add(ids.get(byPopularity[i]));
        }
        return topics;
    }

    private static Map<String, Object> audience(String name, List<String> topics) {
        return Map.of("name", name, "type", "intents", "intent_window_days", 14, "refresh_schedule", "manual",
                "filter", Map.of("condition", "and", "rules", List.of(Map.of("fieldName", "INTENT",
                        "conditionRules", Map.of("operator", "in", "value", topics)))));
    }

    private static long createAudience(User user, String name, List<String> topics) {
        return ((Number) user.request().body(audience(name, topics)).post("/api/v1/audiences").then().statusCode(201)
                .extract().path("id")).longValue();
    }

    private void awaitCompleted(List<Long> ids, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = instances.getFirst().database().connect();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audience WHERE id = ANY (?) AND status = 'Completed'")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == ids.size()) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        fail("audiences " + ids + " did not all complete within " + timeout + ":\n" + instances.getLast().logs());
    }

    private record Build(long id, String status, int attempts, String owner) { }

    private static List<Build> builds(Connection c, long audienceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, status, attempts, lease_owner FROM audience_build WHERE audience_id = ? ORDER BY id")) {
            ps.setLong(1, audienceId);
            List<Build> builds = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    builds.add(new Build(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4)));
                }
            }
            return builds;
        }
    }

    private static Set<String> owners(Connection c, List<Long> audienceIds) throws SQLException {
        Set<String> owners = new TreeSet<>();
        for (long id : audienceIds) {
            builds(c, id).forEach(b -> owners.add(b.owner()));
        }
        return owners;
    }

    private static List<Long> durations(Connection c, List<Long> audienceIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(EXTRACT(EPOCH FROM finished_at - started_at) * 1000 AS BIGINT) "
                + "FROM audience_build WHERE audience_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", audienceIds.toArray()));
            List<Long> ms = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ms.add(rs.getLong(1));
                }
            }
            return ms;
        }
    }

    private static long members(Connection c, long audienceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audience_member m JOIN audience a "
                + "ON a.current_build_id = m.build_id WHERE a.id = ?")) {
            ps.setLong(1, audienceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long recordCount(Connection c, long audienceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT record_count FROM audience WHERE id = ?")) {
            ps.setLong(1, audienceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The acknowledged ids missing from {@code table}. */
    private static List<String> missing(Connection c, String table, List<String> ids) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE CAST(id AS VARCHAR) = ?")) {
            for (String id : List.copyOf(ids)) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        missing.add(id);
                    }
                }
            }
        }
        return missing;
    }
}
