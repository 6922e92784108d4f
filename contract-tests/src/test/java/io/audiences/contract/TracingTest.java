package io.audiences.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.audiences.server.Application;
import io.audiences.server.tracing.Tracing;

import io.helidon.config.Config;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With tracing on (spans to an in-memory exporter instead of OTLP): a request carrying a W3C {@code traceparent} is
 * a server span named after its operationId, child of the caller's span, with its method, route and status; its SQL
 * statements are its child spans; a build is a span with its own SQL children; a webhook delivery is a span in the
 * trace of what produced its event, whose context the receiver gets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingTest extends AudienceTestBase {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

    /** As ServerTestBase starts the server, with spans to the in-memory exporter. */
    @BeforeAll
    @Override
    void startServer() throws IOException {
        database = TestDatabase.create();
        dataDir = Files.createTempDirectory("audiences-test");
        Config config = serverConfig();
        app = Application.create(config, clock(), Tracing.exportingTo(exporter)).start(config.get("server"));
    }

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        // The webhook receiver listens on loopback.
        overrides.put("audiences.webhooks.allow-private-targets", "true");
        overrides.put("audiences.webhooks.poll-interval", "PT0.05S");
        return overrides;
    }

    @Test
    void requestSqlAndBuildSpans() {
        Tenant t = tenant("Traced");
        exporter.reset();
        as(t.token()).header("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01")
                .get("/api/v1/projects/" + t.project().id()).then().statusCode(200);

        SpanData request = only(exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("getProject")).toList());
        assertEquals(TRACE_ID, request.getTraceId());
        assertEquals(PARENT_ID, request.getParentSpanId());
        assertEquals(SpanKind.SERVER, request.getKind());
        assertEquals("GET", request.getAttributes().get(AttributeKey.stringKey("http.request.method")));
        assertEquals("/api/v1/projects/{project_id}", request.getAttributes().get(AttributeKey.stringKey("http.route")));
        assertEquals(200L, request.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        List<SpanData> sql = children(request);
        assertFalse(sql.isEmpty(), "no SQL span under the request");
        assertTrue(sql.stream().allMatch(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(TRACE_ID)
                && s.getAttributes().get(AttributeKey.stringKey("db.query.text")) != null), sql::toString);
        assertTrue(sql.stream().anyMatch(s -> s.getName().equals("SELECT")), sql::toString);

        long id = create(t, Map.of("name", "Traced build", "type", "elixir",
                "filter", and(rule("company_employee_count", "gt", 200))));
        await(t, id, "Completed");
        SpanData build = only(exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("build")
                && Long.valueOf(id).equals(s.getAttributes().get(AttributeKey.longKey("audiences.audience.id")))).toList());
        assertFalse(build.getParentSpanContext().isValid(), "a build is a trace of its own");
        assertThat(children(build).size(), greaterThanOrEqualTo(2));
    }

    /**
     * A webhook delivery continues the trace of what produced its event: a build's event is delivered in a client span
     * child of the build's span, a request's event (a pause) in one child of the request's span, and the receiver gets
     * that delivery span's context as {@code traceparent}, with the caller's {@code tracestate} carried along.
     */
    @Test
    void webhookDeliveriesContinueTheTraceThatProducedThem() throws IOException {
        Tenant t = tenant("Traced hooks");
        try (WebhookReceiver receiver = new WebhookReceiver("/traced")) {
            as(t.token()).body(Map.of("url", receiver.url(), "events", List.of("audience.build.completed", "audience.paused")))
                    .post("/api/v1/webhooks").then().statusCode(201);
            long id = create(t, Map.of("name", "Traced hook", "type", "elixir",
                    "filter", and(rule("company_employee_count", "gt", 200))));
            await(t, id, "Completed");

            WebhookReceiver.Received completed = only(receiver.await(
                    r -> r.audienceId() == id && r.type().equals("audience.build.completed"), 1));
            SpanData build = awaitSpan(s -> s.getName().equals("build")
                    && Long.valueOf(id).equals(s.getAttributes().get(AttributeKey.longKey("audiences.audience.id"))));
            SpanData delivery = awaitSpan(s -> s.getName().equals("webhook delivery")
                    && completed.id().equals(s.getAttributes().get(AttributeKey.stringKey("audiences.webhook.id"))));
            assertEquals(SpanKind.CLIENT, delivery.getKind());
            assertEquals(build.getTraceId(), delivery.getTraceId());
            assertEquals(build.getSpanId(), delivery.getParentSpanId());
            assertEquals(200L, delivery.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
            assertEquals(1L, delivery.getAttributes().get(AttributeKey.longKey("audiences.webhook.attempt")));
            assertEquals(traceparent(delivery), completed.traceparent());
            assertNull(completed.tracestate());

            String traceId = "0af7651916cd43dd8448eb211c80319c";
            as(t.token()).header("X-Project-Id", t.project().id().toString())
                    .header("traceparent", "00-" + traceId + "-" + PARENT_ID + "-01").header("tracestate", "vendor=opaque")
                    .post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);
            WebhookReceiver.Received paused = only(receiver.await(
                    r -> r.audienceId() == id && r.type().equals("audience.paused"), 1));
            SpanData request = awaitSpan(s -> s.getName().equals("pauseAudience") && s.getTraceId().equals(traceId));
            SpanData pausedDelivery = awaitSpan(s -> s.getName().equals("webhook delivery")
                    && paused.id().equals(s.getAttributes().get(AttributeKey.stringKey("audiences.webhook.id"))));
            assertEquals(traceId, pausedDelivery.getTraceId());
            assertEquals(request.getSpanId(), pausedDelivery.getParentSpanId());
            assertEquals(traceparent(pausedDelivery), paused.traceparent());
            assertEquals("vendor=opaque", paused.tracestate());
        }
    }

    /** The W3C traceparent of a sampled span: version 00, its trace and span ids, its flags (01 sampled, 02 random id). */
    private static String traceparent(SpanData span) {
        assertTrue(span.getSpanContext().isSampled(), span::toString);
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
    }

    /** The one finished span matching, waited for (spans are exported as they end, on the server's threads). */
    private SpanData awaitSpan(Predicate<SpanData> what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        List<SpanData> matching = List.of();
        while (Instant.now().isBefore(deadline)) {
            matching = exporter.getFinishedSpanItems().stream().filter(what).toList();
            if (!matching.isEmpty()) {
                return only(matching);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return only(matching);
    }

    private List<SpanData> children(SpanData parent) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList();
    }

    private static <T> T only(List<T> items) {
        assertEquals(1, items.size(), items::toString);
        return items.getFirst();
    }
}
