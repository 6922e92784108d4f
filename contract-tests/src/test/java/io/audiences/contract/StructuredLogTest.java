package io.audiences.contract;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.audiences.server.upstream.SyntheticData;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code AUDIENCES_LOG_FORMAT=json} on the packaged server: after requests (one failing), a build and a SIGTERM, every
 * line the process printed is one JSON object; the access line of a request and the build's transition lines carry
 * their fields; a path with an encoded line feed, CRLF or NUL stays inside its own line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StructuredLogTest {

    private PackagedServer server;
    private PackagedServer.Tenant tenant;
    private SyntheticData data;

    @BeforeAll
    void start() throws Exception {
        server = PackagedServer.create("jsonlogs");
        data = new SyntheticData(new SyntheticData.Spec(5, 200, 7, LocalDate.now(ZoneOffset.UTC), 2_000, 20));
        tenant = server.prepare(data, "JsonLogs");
        server.start(Map.of("AUDIENCES_LOG_FORMAT", "json"), "-XX:TieredStopAtLevel=1",
                "-Daudiences.builds.poll-interval=PT0.1S");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RequestSpecification asClient() {
        return ServerTestBase.validated(server.port()).contentType(ContentType.JSON)
                .header("X-Api-Key", tenant.apiKey()).header("X-Api-Secret", tenant.apiSecret())
                .header("X-Project-Id", tenant.project().id().toString());
    }

    @Test
    void everyLineIsOneJsonObjectWithTheRequestAndBuildFields() throws Exception {
        asClient().header("X-Request-Id", "json-log-ok").get("/api/v1/projects/" + tenant.project().id())
                .then().statusCode(200);
        asClient().header("X-Request-Id", "json-log-missing").get("/api/v1/audiences/987654321")
                .then().statusCode(404);
        String topic = data.topics().getFirst().id();
        long audience = ((Number) asClient().body(Map.of("name", "Logged", "type", "intents", "intent_window_days", 7,
                        "refresh_schedule", "manual", "filter", Map.of("condition", "and", "rules", List.of(Map.of(
                                "fieldName", "INTENT", "conditionRules", Map.of("operator", "in", "value", List.of(topic)))))))
                .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!"Completed".equals(asClient().get("/api/v1/audiences/" + audience).then().statusCode(200)
                .extract().path("status"))) {
            assertTrue(Instant.now().isBefore(deadline), "the build did not complete");
            Thread.sleep(100);
        }
        // Sent raw: the server decodes each into a control character in the path it logs.
        HttpClient http = HttpClient.newHttpClient();
        for (String forged : List.of("%0a", "%0d%0a", "%00")) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/x" + forged
                    + "{\"level\":\"SEVERE\",\"message\":\"forged\"}".replace("{", "%7B").replace("}", "%7D")
                    .replace("\"", "%22"));
            assertEquals(404, http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode());
        }
        server.stop();

        List<JsonObject> lines = new ArrayList<>();
        for (String line : server.logs().split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            try (JsonReader reader = Json.createReader(new StringReader(line))) {
                lines.add(reader.readObject());
            } catch (RuntimeException e) {
                fail("not one JSON object: " + line, e);
            }
        }
        for (JsonObject line : lines) {
            assertTrue(line.containsKey("time") && line.containsKey("level") && line.containsKey("logger")
                    && line.containsKey("message"), line::toString);
            // ISO-8601 with the zone's offset.
            OffsetDateTime.parse(line.getString("time"));
            // The injected object would be a line of its own; inside a path it stays text in the access line's message.
            assertThat(line.getString("message"), not(is("forged")));
        }

        JsonObject ok = access(lines, "json-log-ok");
        assertEquals("getProject", ok.getString("operation_id"));
        assertEquals("GET", ok.getString("method"));
        assertEquals("/api/v1/projects/" + tenant.project().id(), ok.getString("path"));
        assertEquals(200, ok.getInt("status"));
        assertThat(ok.getJsonNumber("duration_ms").longValue(), greaterThanOrEqualTo(0L));
        assertThat(ok.getJsonNumber("response_bytes").longValue(), greaterThan(0L));
        assertEquals(tenant.project().organizationId().toString(), ok.getString("organization_id"));
        assertEquals("127.0.0.1", ok.getString("client_address"));
        assertEquals("io.audiences.access", ok.getString("logger"));
        JsonObject missing = access(lines, "json-log-missing");
        assertEquals(404, missing.getInt("status"));
        assertEquals("getAudience", missing.getString("operation_id"));

        for (String transition : List.of("queued", "claimed", "completed")) {
            JsonObject build = lines.stream().filter(l -> transition.equals(l.getString("build_transition", null))
                    && l.getJsonNumber("audience_id").longValue() == audience).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + transition + " line for audience " + audience));
            assertEquals(tenant.project().organizationId().toString(), build.getString("organization_id"));
            assertThat(build.getJsonNumber("build_id").longValue(), greaterThan(0L));
            if ("completed".equals(transition)) {
                assertThat(build.getJsonNumber("duration_ms").longValue(), greaterThanOrEqualTo(0L));
                assertThat(build.getJsonNumber("member_count").longValue(), greaterThanOrEqualTo(0L));
            }
        }

        // Each forged path is in exactly one line, its control characters escaped inside the JSON string.
        List<String> forgedPaths = lines.stream().filter(l -> l.getString("path", "").startsWith("/api/v1/x"))
                .map(l -> l.getString("path")).toList();
        assertEquals(List.of("/api/v1/x\n", "/api/v1/x\r\n", "/api/v1/x\u0000"),
                forgedPaths.stream().map(p -> p.substring(0, p.indexOf('{'))).toList());
        assertTrue(server.logs().lines().noneMatch(l -> l.startsWith("{\"level\"")), "a forged line");
        assertThat(server.logs(), containsString("/api/v1/x\\r\\n{\\\"level\\\""));
        assertThat(server.logs(), containsString("/api/v1/x\\u0000{\\\"level\\\""));
    }

    private static JsonObject access(List<JsonObject> lines, String requestId) {
        Optional<JsonObject> line = lines.stream().filter(l -> requestId.equals(l.getString("request_id", null))).findFirst();
        return line.orElseThrow(() -> new AssertionError("no access line for " + requestId));
    }
}
