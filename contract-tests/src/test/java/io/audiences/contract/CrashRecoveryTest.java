package io.audiences.contract;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.audiences.server.Application;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.Upstream;
import io.audiences.server.upstream.UpstreamWriter;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the packaged server as a child process, kills it with SIGKILL while a build is running, restarts it,
 * and checks that the build is retried and completes exactly once with the counts an independent
 * computation over the same generated data gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryTest {

    private static final Path JAR = Path.of("..", "src", "target", "audiences-server.jar");
    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    private TestDatabase database;
    private Path dataDir;
    private String dbUrl;
    private SyntheticData data;
    private String apiKey;
    private String apiSecret;
    private Project project;
    private Process server;
    private int port;

    @BeforeAll
    void prepare() throws Exception {
        database = TestDatabase.create();
        dataDir = Files.createTempDirectory("audiences-crash");
        // H2 must be a file the child process can open; PostgreSQL is the test database itself.
        dbUrl = TestDatabase.postgres() ? database.url() : "jdbc:h2:file:" + dataDir.resolve("audiences").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
        data = new SyntheticData(new SyntheticData.Spec(99, 40_000, 14, TODAY, 900_000, 300));
        try (Application app = Application.create(config(), Clock.SYSTEM)) {
            new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 0, Progress.silent());
            Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, "Crash", Optional.empty()));
            project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), "Crash project"));
            CredentialService.NewClient client = app.database().inTransaction(tx ->
                    app.credentials().createClient(tx, org.id(), "crash", true));
            apiKey = client.key().apiKey();
            apiSecret = client.key().apiSecret();
        }
    }

    @AfterAll
    void cleanUp() {
        if (server != null) {
            server.destroyForcibly();
            server.onExit().join();
        }
        if (database != null) {
            database.close();
        }
        TestFiles.deleteRecursively(dataDir);
    }

    private Config config() {
        return Config.builder()
                .addSource(ConfigSources.create(Map.of(
                        "audiences.data-dir", dataDir.toString(),
                        "audiences.db.url", dbUrl,
                        "audiences.db.user", database.user(),
                        "audiences.db.password", database.password())))
                .addSource(ConfigSources.classpath("application.yaml"))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
    }

    private void startServer() throws IOException, InterruptedException {
        port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m",
                "-Daudiences.builds.lease=PT3S", "-Daudiences.builds.poll-interval=PT0.2S", "-Daudiences.demo.enabled=false",
                "-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server-" + System.nanoTime() + ".log").toFile());
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("AUDIENCES_DATA_DIR", dataDir.toString());
        pb.environment().put("AUDIENCES_DB_URL", dbUrl);
        pb.environment().put("AUDIENCES_DB_USER", database.user());
        pb.environment().put("AUDIENCES_DB_PASSWORD", database.password());
        server = pb.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                fail("the server exited while starting; see logs in " + dataDir);
            }
            if (healthy()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("the server did not start; see logs in " + dataDir);
    }

    private boolean healthy() {
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
            return RestAssured.given().port(port).get("/health").statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    private RequestSpecification api() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(port).contentType(ContentType.JSON)
                .header("X-Api-Key", apiKey).header("X-Api-Secret", apiSecret)
                .header("X-Project-Id", project.id().toString());
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Expected records and profiles of a 14-day intent audience on the given topics, from the generator itself. */
    private long[] expected(Set<Integer> topicKeys) {
        Set<Long> profiles = new HashSet<>();
        for (LocalDate day : data.days()) {
            for (Iterator<Upstream.Signal> it = data.signals(day); it.hasNext();) {
                Upstream.Signal s = it.next();
                if (topicKeys.contains(s.topicKey())) {
                    profiles.add(s.profileId());
                }
            }
        }
        long records = profiles.stream().mapToLong(p -> data.records(p).size()).sum();
        return new long[] {records, profiles.size()};
    }

    @Test
    void buildKilledMidwayIsRetriedAndCompletesExactlyOnce() throws Exception {
        int[] hot = data.topicKeysByPopularity();
        Map<Integer, String> ids = new HashMap<>();
        data.topics().forEach(t -> ids.put(t.topicKey(), t.id()));
        List<String> topics = new ArrayList<>();
        Set<Integer> keys = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            topics.add(ids.get(hot[i]));
            keys.add(hot[i]);
        }
        startServer();
        long id = ((Number) api().body(Map.of("name", "Crash", "type", "intents", "intent_window_days", 14,
                "refresh_schedule", "manual", "filter", Map.of("condition", "and", "rules", List.of(Map.of(
                        "fieldName", "INTENT", "conditionRules", Map.of("operator", "in", "value", topics))))))
                .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();

        boolean killedMidBuild = false;
        for (int attempt = 0; attempt < 5 && !killedMidBuild; attempt++) {
            String status = awaitRunning(id);
            if (status != null) {
                server.destroyForcibly().waitFor();
                killedMidBuild = true;
                startServer();
            } else {
                api().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(200);
            }
        }
        assertThat("a build was caught running and killed", killedMidBuild, is(true));

        JsonPath done = awaitCompleted(id);
        long[] expected = expected(keys);
        assertThat(done.getLong("record_count"), is(expected[0]));
        assertThat(done.getLong("distinct_profile_count"), is(expected[1]));
        String downloaded = api().get("/api/v1/audiences/" + id + "/download").then().statusCode(200).extract().asString();
        assertThat((long) downloaded.split("\r\n").length - 1, is(expected[0]));

        server.destroy();
        server.waitFor();
        try (Connection c = java.sql.DriverManager.getConnection(dbUrl, database.user(), database.password());
             PreparedStatement ps = c.prepareStatement("SELECT status, attempts FROM audience_build WHERE audience_id = ? "
                     + "ORDER BY id DESC")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString("status"), is("Completed"));
                assertThat("the killed attempt was retried", rs.getInt("attempts") >= 2, is(true));
            }
            try (PreparedStatement members = c.prepareStatement("SELECT COUNT(*) FROM audience_member m JOIN audience a "
                    + "ON a.current_build_id = m.build_id WHERE a.id = ?")) {
                members.setLong(1, id);
                try (ResultSet rs = members.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1), is(expected[0]));
                }
            }
        }
    }

    /** Polls until the audience is mid-build; null if it completed before it could be seen running. */
    private String awaitRunning(long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            String status = api().get("/api/v1/audiences/" + id).then().extract().path("status");
            if ("Processing".equals(status) || "Syncing".equals(status)) {
                return status;
            }
            if ("Completed".equals(status) || "Failed".equals(status)) {
                return null;
            }
            Thread.sleep(10);
        }
        return null;
    }

    private JsonPath awaitCompleted(long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            JsonPath audience = api().get("/api/v1/audiences/" + id).then().statusCode(200).extract().jsonPath();
            if ("Completed".equals(audience.getString("status"))) {
                return audience;
            }
            Thread.sleep(100);
        }
        fail("the audience did not complete after the restart; logs in " + dataDir + File.separator);
        return null;
    }
}
