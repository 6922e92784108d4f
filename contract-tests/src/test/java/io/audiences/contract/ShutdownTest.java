package io.audiences.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.audiences.model.AudienceCreateRequestDto;
import io.audiences.model.AudienceTypeDto;
import io.audiences.model.ConditionRulesDto;
import io.audiences.model.FilterEntryDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.model.FilterOperatorDto;
import io.audiences.server.Application;
import io.audiences.server.audiences.Audience;
import io.audiences.server.builds.BuildStatus;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.UpstreamWriter;

import io.helidon.config.Config;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGTERM to the packaged server, as an orchestrator sends it. During a long download: new connections are
 * refused at once, a download that keeps reading finishes whole, a stalled one is cut at the end of the drain
 * period (its chunked body without the last chunk, so the client knows), and the process exits within the
 * period. During a build that cannot finish: the build is handed back at the end of the period, and another
 * instance (PostgreSQL; on H2, whose file one process opens at a time, the next start) claims it within its
 * poll interval instead of waiting for the lease to run out.
 */
@Isolated
class ShutdownTest {

    /** Long enough for a download of a few MB to finish on a loaded two-core machine. */
    private static final int DRAIN_SECONDS = 8;
    /** The build test needs no request to finish: a short period. */
    private static final int BUILD_DRAIN_SECONDS = 2;
    private static final String POLL = "PT0.2S";

    private record Tenant(Project project, String key, String secret, Principal owner) { }

    @Test
    void sigtermDuringALongDownloadRefusesNewConnectionsAndExitsWithinTheDrainPeriod() throws Exception {
        try (PackagedServer server = PackagedServer.create("drain")) {
            Config config = server.config(Map.of("audiences.builds.poll-interval", "PT0.1S"));
            Tenant tenant;
            long audienceId;
            long records;
            try (Application app = Application.create(config, Clock.SYSTEM).start(config.get("server"))) {
                new UpstreamWriter(app.database(), Clock.SYSTEM).write(new SyntheticData(new SyntheticData.Spec(3, 14_000, 1,
                        LocalDate.now(ZoneOffset.UTC), 14_000, 50)), 0, Progress.silent());
                tenant = tenant(app);
                Audience audience = app.audiences().create(tenant.owner(), tenant.project().id(), new AudienceCreateRequestDto()
                                .name("Everyone but cxo").type(AudienceTypeDto.ELIXIR).filter(new FilterGroupDto()
                                        .condition(FilterGroupDto.ConditionEnum.AND).rules(List.of(new FilterEntryDto()
                                                .fieldName("seniority_level").conditionRules(new ConditionRulesDto()
                                                        .operator(FilterOperatorDto.NOTIN).value(new ArrayList<>(List.of("cxo"))))))),
                        TransactionHook.none());
                audienceId = audience.id();
                records = awaitBuilt(app, tenant, audienceId);
            }
            server.start(Map.of("AUDIENCES_DRAIN_PERIOD", Integer.toString(DRAIN_SECONDS)), "-Xmx256m");
            String request = "GET /api/v1/audiences/" + audienceId + "/download?project_id=" + tenant.project().id()
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + tenant.key() + "\r\nX-Api-Secret: " + tenant.secret()
                    + "\r\n\r\n";
            try (Socket reading = download(server.port(), request); Socket stalled = download(server.port(), request)) {
                ChunkedBody whole = new ChunkedBody(reading.getInputStream());
                ChunkedBody cut = new ChunkedBody(stalled.getInputStream());
                whole.readChunks(4);
                cut.readChunks(4);

                long sigterm = System.nanoTime();
                server.terminate();
                long[] wholeAt = new long[1];
                Thread reader = Thread.ofPlatform().start(() -> {
                    whole.readToEnd();
                    wholeAt[0] = System.nanoTime();
                });
                boolean refused = PortProbe.refuses(server.port());
                boolean draining = server.alive();
                reader.join();
                assertThat("the process exited", server.awaitExit(Duration.ofSeconds(DRAIN_SECONDS + 20L)), is(true));
                long exited = (System.nanoTime() - sigterm) / 1_000_000;
                cut.readToEnd();
                System.out.printf("[shutdown %s] SIGTERM during downloads: the reading one finished %d ms after it (%d "
                        + "bytes); the process exited after %d ms (drain period %d s); the stalled one got %d bytes%n",
                        TestDatabase.engine(), (wholeAt[0] - sigterm) / 1_000_000, whole.bytes.size(), exited,
                        DRAIN_SECONDS, cut.bytes.size());
                assertThat("new connections are refused during the drain", refused, is(true));
                assertThat("they were refused while the server was still draining", draining, is(true));
                assertThat("the download that kept reading finished", whole.complete, is(true));
                assertThat("header + every record", whole.lines(), is(records + 1));
                assertThat("the stalled download was cut, visibly (no last chunk)", cut.complete, is(false));
                assertThat("the stalled download held the drain", exited, greaterThan(DRAIN_SECONDS * 1000L - 500));
                assertThat("the process exited promptly after the drain period", exited, lessThan(DRAIN_SECONDS * 1000L + 5_000));
            }
        }
    }

    @Test
    void sigtermDuringABuildThatCannotFinishHandsItBackForAPeer() throws Exception {
        try (PackagedServer server = PackagedServer.create("handback")) {
            Tenant tenant;
            try (Application app = Application.create(server.config(Map.of()), Clock.SYSTEM)) {
                new UpstreamFixture(5, 30, LocalDate.now(ZoneOffset.UTC), 3).write(app.database(), 0);
                tenant = tenant(app);
            }
            // The build holds its snapshot transaction for ten minutes: it cannot finish within the drain.
            server.start(Map.of("AUDIENCES_DRAIN_PERIOD", Integer.toString(BUILD_DRAIN_SECONDS)),
                    "-Daudiences.builds.test-snapshot-hold=PT10M", "-Daudiences.builds.poll-interval=" + POLL);
            long id = ((Number) api(server, tenant).body(Map.of("name", "Slow", "type", "elixir", "filter", Map.of(
                    "condition", "and", "rules", List.of(Map.of("fieldName", "seniority_level", "conditionRules",
                            Map.of("operator", "in", "value", List.of("vp", "director")))))))
                    .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();
            awaitStatus(server, tenant, id, "Syncing");

            PackagedServer peer = TestDatabase.postgres() ? server.peer("handback-peer") : null;
            try {
                if (peer != null) {
                    peer.start("-Daudiences.builds.poll-interval=" + POLL);
                }
                long sigterm = System.nanoTime();
                server.terminate();
                assertThat(server.awaitExit(Duration.ofSeconds(BUILD_DRAIN_SECONDS + 20L)), is(true));
                long exited = (System.nanoTime() - sigterm) / 1_000_000;
                long claimed;
                if (peer != null) {
                    // The peer was polling all along; it claims the build as soon as it is handed back.
                    claimed = awaitClaimed(server, id, sigterm);
                    awaitStatus(peer, tenant, id, "Completed");
                } else {
                    assertThat("handed back before the process ended", build(server, id), equalTo("Pending/0/null"));
                    server.start("-Daudiences.builds.poll-interval=" + POLL);
                    long restarted = System.nanoTime();
                    claimed = (awaitClaimed(server, tenant, id) - restarted) / 1_000_000;
                    awaitStatus(server, tenant, id, "Completed");
                }
                System.out.printf("[shutdown %s] SIGTERM during a build that cannot finish: exited after %d ms (drain "
                                + "period %d s); the build was claimed again %d ms after %s (poll interval %s)%n",
                        TestDatabase.engine(), exited, BUILD_DRAIN_SECONDS, claimed, peer != null ? "the SIGTERM" : "the restart",
                        POLL);
                assertThat(exited, lessThan(BUILD_DRAIN_SECONDS * 1000L + 5_000));
                // Claimed at the peer's next poll, not when the 30 s lease would have run out (the time includes a
                // loaded machine's latency in reading the row or the status).
                assertThat("claimed again long before the lease would have run out", claimed,
                        lessThan(peer != null ? BUILD_DRAIN_SECONDS * 1000L + 5_000 : 10_000));
            } finally {
                if (peer != null) {
                    peer.close();
                }
            }
            server.stop();
            assertThat("built once, by the one attempt that counted", build(server, id), equalTo("Completed/1/set"));
        }
    }

    private static Tenant tenant(Application app) {
        Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, "Shutdown", Optional.empty()));
        Project project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), "Shutdown"));
        CredentialService.NewClient client = app.database().inTransaction(tx ->
                app.credentials().createClient(tx, org.id(), "shutdown", true, "read_write"));
        return new Tenant(project, client.key().apiKey(), client.key().apiSecret(),
                new Principal(org.id(), Principal.Kind.API_KEY, client.client().id()));
    }

    private static long awaitBuilt(Application app, Tenant t, long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        Audience built = app.audiences().get(t.owner(), t.project().id(), id);
        while (built.progress().status() != BuildStatus.COMPLETED) {
            if (Instant.now().isAfter(deadline) || built.progress().status() == BuildStatus.FAILED) {
                fail("the snapshot was not built: " + built.progress().status() + " " + built.progress().error());
            }
            Thread.sleep(100);
            built = app.audiences().get(t.owner(), t.project().id(), id);
        }
        return built.counts().recordCount();
    }

    private static RequestSpecification api(PackagedServer server, Tenant t) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(server.port()).contentType(ContentType.JSON)
                .header("X-Api-Key", t.key()).header("X-Api-Secret", t.secret())
                .header("X-Project-Id", t.project().id().toString());
    }

    private static void awaitStatus(PackagedServer server, Tenant t, long id, String status) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        String last = null;
        while (Instant.now().isBefore(deadline)) {
            last = api(server, t).get("/api/v1/audiences/" + id).then().statusCode(200).extract().path("status");
            if (status.equals(last)) {
                return;
            }
            // 10 polls a second: under the organization's rate limit (25/s) however long the build takes.
            Thread.sleep(100);
        }
        fail("audience " + id + " did not reach " + status + " (last " + last + "):\n" + server.logs());
    }

    /** On H2, after the restart: polls the API until the build runs again; returns when (System.nanoTime). */
    private static long awaitClaimed(PackagedServer server, Tenant t, long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            String status = api(server, t).get("/api/v1/audiences/" + id).then().statusCode(200).extract().path("status");
            if (!"Pending".equals(status)) {
                return System.nanoTime();
            }
            Thread.sleep(40); // 25 polls a second at most: the organization's rate limit
        }
        fail("the handed-back build was not claimed again");
        return 0;
    }

    /** On PostgreSQL: polls the build's row until another owner holds it; milliseconds since {@code since}. */
    private static long awaitClaimed(PackagedServer server, long id, long since) throws Exception {
        String first = null;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            String[] row = build(server, id).split("/");
            if (first == null) {
                first = row[2];
            } else if (!row[2].equals(first) && !"null".equals(row[2]) || "Completed".equals(row[0])) {
                return (System.nanoTime() - since) / 1_000_000;
            }
            Thread.sleep(10);
        }
        fail("no other instance claimed the build");
        return 0;
    }

    /** The audience's build as status/attempts/lease owner ({@code set} for a finished build's owner). */
    private static String build(PackagedServer server, long audienceId) throws Exception {
        try (Connection c = DriverManager.getConnection(server.dbUrl(), server.database().user(), server.database().password());
             PreparedStatement ps = c.prepareStatement("SELECT status, attempts, lease_owner FROM audience_build "
                     + "WHERE audience_id = ?")) {
            ps.setLong(1, audienceId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat("one build", rs.next(), is(true));
                String owner = rs.getString("lease_owner");
                String result = rs.getString("status") + "/" + rs.getInt("attempts") + "/"
                        + (owner == null ? "null" : "Completed".equals(rs.getString("status")) ? "set" : owner);
                assertThat("only one build", rs.next(), is(false));
                return result;
            }
        }
    }

    /** Sends a download request on a socket with a small receive buffer, so the server cannot push it all at once. */
    private static Socket download(int port, String request) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }


    /** A 200 response with a chunked body, read chunk by chunk; {@code complete} once the last (empty) chunk arrived. */
    private static final class ChunkedBody {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean complete;
        private final InputStream in;

        ChunkedBody(InputStream in) throws IOException {
            this.in = in;
            String status = line();
            assertThat(status, status.startsWith("HTTP/1.1 200"), is(true));
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                chunked |= header.equalsIgnoreCase("Transfer-Encoding: chunked");
            }
            assertThat("streamed in chunks", chunked, is(true));
        }

        void readChunks(int n) throws IOException {
            for (int i = 0; i < n && !complete && chunk(); i++) {
                // one chunk each
            }
        }

        void readToEnd() {
            try {
                while (!complete && chunk()) {
                    // until the last chunk or the end of the connection
                }
            } catch (IOException cut) {
                // reset or timeout: complete stays false
            }
        }

        long lines() {
            return bytes.toString(StandardCharsets.UTF_8).split("\r\n").length;
        }

        /** Reads one chunk; false when the connection ended first. */
        private boolean chunk() throws IOException {
            String size = line();
            if (size == null || size.isEmpty()) {
                return false;
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                complete = true;
                return false;
            }
            byte[] data = in.readNBytes(n);
            bytes.write(data);
            if (data.length < n) {
                return false;
            }
            line();
            return true;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return c < 0 && sb.isEmpty() ? null : sb.toString();
        }
    }
}
