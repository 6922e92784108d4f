package io.audiences.contract;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
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
import java.util.Set;

import io.audiences.server.tenancy.Project;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.Upstream;

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
@Isolated
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryTest {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    private PackagedServer server;
    private SyntheticData data;
    private String apiKey;
    private String apiSecret;
    private Project project;

    @BeforeAll
    void prepare() throws Exception {
        server = PackagedServer.create("crash");
        data = new SyntheticData(new SyntheticData.Spec(99, 40_000, 14, TODAY, 900_000, 300));
        PackagedServer.Tenant tenant = server.prepare(data, "Crash");
        project = tenant.project();
        apiKey = tenant.apiKey();
        apiSecret = tenant.apiSecret();
    }

    @AfterAll
    void cleanUp() {
        if (server != null) {
            server.close();
        }
    }

    /** A short lease, so the restarted process claims the killed build again within seconds. */
    private void startServer() throws IOException, InterruptedException {
        startServer(Duration.ZERO);
    }

    /**
     * As {@link #startServer()}, with each build holding its snapshot transaction open for {@code snapshotHold} after
     * writing its members: a build seen running is then certainly killed before it commits. Without it a fast build
     * could commit between the status read and the kill, and nothing was left to retry (seen in CI).
     */
    private void startServer(Duration snapshotHold) throws IOException, InterruptedException {
        server.start("-Xmx512m", "-Daudiences.builds.lease=PT3S", "-Daudiences.builds.poll-interval=PT0.2S",
                "-Daudiences.builds.test-snapshot-hold=" + snapshotHold);
    }

    private RequestSpecification api() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(server.port()).contentType(ContentType.JSON)
                .header("X-Api-Key", apiKey).header("X-Api-Secret", apiSecret)
                .header("X-Project-Id", project.id().toString());
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
        startServer(Duration.ofSeconds(30));
        long id = ((Number) api().body(Map.of("name", "Crash", "type", "intents", "intent_window_days", 14,
                "refresh_schedule", "manual", "filter", Map.of("condition", "and", "rules", List.of(Map.of(
                        "fieldName", "INTENT", "conditionRules", Map.of("operator", "in", "value", topics))))))
                .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();

        boolean killedMidBuild = false;
        for (int attempt = 0; attempt < 5 && !killedMidBuild; attempt++) {
            String status = awaitRunning(id);
            if (status != null) {
                server.kill();
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

        server.stop();
        try (Connection c = DriverManager.getConnection(server.dbUrl(), server.database().user(),
                server.database().password());
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
        fail("the audience did not complete after the restart:\n" + server.logs());
        return null;
    }
}
