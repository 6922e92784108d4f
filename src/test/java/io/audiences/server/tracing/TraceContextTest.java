package io.audiences.server.tracing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * The trace context the outbox stores with an event (the current span's, W3C-encoded) and the delivery span that
 * continues it: a child of the stored context whose own context goes out as headers, none of it when tracing is off.
 */
class TraceContextTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final UUID ENDPOINT = UUID.fromString("0b7c3a52-4d6e-4f0a-9a1b-2c3d4e5f6a7b");

    @Test
    void offCarriesNothingAndSendsNoHeader() {
        Tracing off = Tracing.off();
        assertThat(off.current(), equalTo(Optional.empty()));
        Span delivery = off.startDelivery(Optional.of(new Tracing.Carried("00-" + TRACE_ID + "-" + PARENT_ID + "-01", null)),
                "msg_1", ENDPOINT, 1, 1);
        assertThat(delivery.getSpanContext().isValid(), is(false));
        assertThat(headers(delivery), equalTo(Map.of()));
    }

    @Test
    void theCurrentSpansContextIsCarriedWithItsTracestate() {
        try (Tracing tracing = Tracing.exportingTo(SpanExporter.composite(List.of()))) {
            assertThat("no span is current", tracing.current(), equalTo(Optional.empty()));
            Span request = tracing.startRequest(WritableHeaders.create()
                    .set(HeaderNames.create("traceparent"), "00-" + TRACE_ID + "-" + PARENT_ID + "-01")
                    .set(HeaderNames.create("tracestate"), "vendor=opaque"), "pauseAudience", "POST", "/x");
            try (Scope ignored = request.makeCurrent()) {
                assertThat(tracing.current(), equalTo(Optional.of(new Tracing.Carried(
                        "00-" + TRACE_ID + "-" + request.getSpanContext().getSpanId() + "-01", "vendor=opaque"))));
            } finally {
                request.end();
            }
        }
    }

    @Test
    void aTracestateLongerThanTheColumnIsDroppedWhole() {
        // Five entries of 254 characters: valid W3C, longer than the 1024 characters stored.
        String long5 = IntStream.range(0, 5).mapToObj(i -> "k" + i + "=" + "v".repeat(251)).collect(Collectors.joining(","));
        try (Tracing tracing = Tracing.exportingTo(SpanExporter.composite(List.of()))) {
            Span request = tracing.startRequest(WritableHeaders.create()
                    .set(HeaderNames.create("traceparent"), "00-" + TRACE_ID + "-" + PARENT_ID + "-01")
                    .set(HeaderNames.create("tracestate"), long5), "pauseAudience", "POST", "/x");
            try (Scope ignored = request.makeCurrent()) {
                Tracing.Carried carried = tracing.current().orElseThrow();
                assertThat(carried.traceparent(), equalTo("00-" + TRACE_ID + "-" + request.getSpanContext().getSpanId() + "-01"));
                assertThat(carried.tracestate(), nullValue());
            } finally {
                request.end();
            }
        }
    }

    @Test
    void aDeliveryIsAChildOfTheStoredContextAndSendsItsOwn() {
        try (Tracing tracing = Tracing.exportingTo(SpanExporter.composite(List.of()))) {
            Span delivery = tracing.startDelivery(Optional.of(new Tracing.Carried("00-" + TRACE_ID + "-" + PARENT_ID + "-01",
                    "vendor=opaque")), "msg_1", ENDPOINT, 7, 2);
            SpanContext parent = ((ReadableSpan) delivery).getParentSpanContext();
            assertThat(parent.getTraceId(), equalTo(TRACE_ID));
            assertThat(parent.getSpanId(), equalTo(PARENT_ID));
            assertThat(parent.isRemote(), is(true));
            assertThat(headers(delivery), equalTo(Map.of(
                    "traceparent", "00-" + TRACE_ID + "-" + delivery.getSpanContext().getSpanId() + "-01",
                    "tracestate", "vendor=opaque")));
            Tracing.endDelivery(delivery, 200, null);

            Span root = tracing.startDelivery(Optional.empty(), "msg_2", ENDPOINT, 8, 1);
            assertThat("no stored context: a trace of its own",
                    ((ReadableSpan) root).getParentSpanContext().isValid(), is(false));
            Tracing.endDelivery(root, null, "timeout");
        }
    }

    private static Map<String, String> headers(Span span) {
        Map<String, String> headers = new HashMap<>();
        Tracing.inject(span, headers::put);
        return headers;
    }
}
