package io.audiences.server.tracing;

import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import io.audiences.server.platform.ConfigurationException;
import io.audiences.server.platform.Configured;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * OpenTelemetry tracing: a span per request (named after the contract's operationId, child of the caller's W3C
 * {@code traceparent}), per SQL statement ({@link TracedJdbc}), per build, and per webhook delivery attempt (a child
 * of the span that produced the event, its own context sent on as {@code traceparent} and {@code tracestate}). Off
 * unless an OTLP endpoint is configured ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, else
 * {@code audiences.tracing.otlp-endpoint}); when off nothing is wrapped and no span object is created, so the read
 * path pays one boolean test per request.
 *
 * <p>The OpenTelemetry SDK is used directly rather than through helidon-tracing's provider: the spans this server
 * needs are its own (operationId names, SQL through the pool it already wraps, builds on worker threads), and the
 * SDK plus its OTLP/HTTP exporter on the JDK's HttpClient is the smaller dependency.
 */
public final class Tracing implements AutoCloseable {

    private static final String SCOPE = "io.audiences.server";
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<Long> AUDIENCE_ID = AttributeKey.longKey("audiences.audience.id");
    private static final AttributeKey<Long> BUILD_ID = AttributeKey.longKey("audiences.build.id");
    private static final AttributeKey<String> WEBHOOK_ID = AttributeKey.stringKey("audiences.webhook.id");
    private static final AttributeKey<String> WEBHOOK_ENDPOINT = AttributeKey.stringKey("audiences.webhook.endpoint_id");
    private static final AttributeKey<Long> DELIVERY_ID = AttributeKey.longKey("audiences.webhook.delivery_id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("audiences.webhook.attempt");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            return carrier.stream().map(h -> h.name()).toList();
        }

        @Override
        public String get(Headers carrier, String key) {
            return carrier == null ? null : carrier.first(HeaderNames.create(key)).orElse(null);
        }
    };

    private static final TextMapSetter<Map<String, String>> MAP = Map::put;
    /**
     * The longest {@code tracestate} carried over to later work: W3C asks to propagate at least 512 characters; a
     * longer one is dropped whole rather than cut mid-entry.
     */
    private static final int MAX_TRACESTATE = 1024;

    /**
     * A span's W3C trace context as headers carry it ({@code tracestate} null when it has none): stored with work the
     * span queues (a webhook event in the outbox) so that the work, done later elsewhere, continues its trace.
     */
    public record Carried(String traceparent, String tracestate) { }

    private enum MapGetter implements TextMapGetter<Map<String, String>> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    }

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    private Tracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
        this.tracer = sdk == null ? OpenTelemetry.noop().getTracer(SCOPE) : sdk.getTracer(SCOPE);
    }

    /** No tracing: nothing is wrapped, no span is created. */
    public static Tracing off() {
        return new Tracing(null);
    }

    /** Spans sent in batches to the configured OTLP/HTTP endpoint, or {@link #off()} when none is configured. */
    public static Tracing from(Config config) {
        String endpoint = Optional.ofNullable(System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
                .orElse(Configured.required(config.get("audiences.tracing.otlp-endpoint"), String.class)).trim();
        String serviceName = Optional.ofNullable(System.getenv("OTEL_SERVICE_NAME"))
                .orElse(Configured.required(config.get("audiences.tracing.service-name"), String.class));
        if (endpoint.isEmpty()) {
            return off();
        }
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new ConfigurationException("OTEL_EXPORTER_OTLP_ENDPOINT / audiences.tracing.otlp-endpoint must be an "
                    + "http:// or https:// URL");
        }
        // As OpenTelemetry's own SDKs read it: the base URL of an OTLP/HTTP receiver, traces under /v1/traces.
        String traces = endpoint.replaceAll("/+$", "") + "/v1/traces";
        SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(traces).setTimeout(Duration.ofSeconds(10)).build();
        return new Tracing(sdk(BatchSpanProcessor.builder(exporter).build(), serviceName));
    }

    /** Every span handed to {@code exporter} as it ends (tests: an in-memory exporter). */
    public static Tracing exportingTo(SpanExporter exporter) {
        return new Tracing(sdk(SimpleSpanProcessor.create(exporter), "audiences-api"));
    }

    private static OpenTelemetrySdk sdk(SpanProcessor processor, String serviceName) {
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                                AttributeKey.stringKey("service.name"), serviceName))))
                        .addSpanProcessor(processor)
                        .build())
                .build();
    }

    public boolean enabled() {
        return sdk != null;
    }

    /**
     * Starts the server span of a request: named after its operationId (or method and path template when the
     * contract has no such operation), child of the W3C {@code traceparent} the caller sent. The caller makes it
     * current while the handler runs and ends it with {@link #endRequest}.
     */
    public Span startRequest(Headers headers, String name, String method, String route) {
        if (!enabled()) {
            return Span.getInvalid();
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(HTTP_METHOD, method)
                .setAttribute(HTTP_ROUTE, route)
                .startSpan();
    }

    /** Ends a request's span with the status it answered (5xx marks it as an error, 4xx is the client's). */
    public static void endRequest(Span span, int status) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        span.setAttribute(HTTP_STATUS, (long) status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** Starts a build's span (a root span: builds run on workers, long after the request that queued them). */
    public Span startBuild(long audienceId, long buildId) {
        if (!enabled()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder("build").setNoParent().setSpanKind(SpanKind.INTERNAL)
                .setAttribute(AUDIENCE_ID, audienceId).setAttribute(BUILD_ID, buildId).startSpan();
    }

    /** The trace context of the current span (a request's, a build's); empty when tracing is off or none is current. */
    public Optional<Carried> current() {
        if (!enabled() || !Span.current().getSpanContext().isValid()) {
            return Optional.empty();
        }
        Map<String, String> headers = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, MAP);
        String state = headers.get(TRACESTATE);
        return Optional.ofNullable(headers.get(TRACEPARENT)).map(parent ->
                new Carried(parent, state == null || state.length() > MAX_TRACESTATE ? null : state));
    }

    /**
     * Starts the client span of one attempt of a webhook delivery: a child of the span that produced its event (the
     * trace context stored with it), a root span when that had none. End it with {@link #endDelivery}; its context
     * goes out with the request ({@link #inject}).
     */
    public Span startDelivery(Optional<Carried> producer, String webhookId, UUID endpointId, long deliveryId, int attempt) {
        if (!enabled()) {
            return Span.getInvalid();
        }
        Context parent = producer.map(p -> {
            Map<String, String> headers = new HashMap<>();
            headers.put(TRACEPARENT, p.traceparent());
            if (p.tracestate() != null) {
                headers.put(TRACESTATE, p.tracestate());
            }
            return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, MapGetter.INSTANCE);
        }).orElseGet(Context::root);
        return tracer.spanBuilder("webhook delivery").setParent(parent).setSpanKind(SpanKind.CLIENT)
                .setAttribute(HTTP_METHOD, "POST")
                .setAttribute(WEBHOOK_ID, webhookId)
                .setAttribute(WEBHOOK_ENDPOINT, endpointId.toString())
                .setAttribute(DELIVERY_ID, deliveryId)
                .setAttribute(ATTEMPT, (long) attempt)
                .startSpan();
    }

    /**
     * Writes {@code span}'s W3C trace context ({@code traceparent}, {@code tracestate} if any) as request headers;
     * none for the invalid span of tracing off.
     */
    public static void inject(Span span, BiConsumer<String, String> header) {
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), header, BiConsumer::accept);
    }

    /** Ends a delivery attempt's span with the receiver's status (null when none came back) or the failure's kind. */
    public static void endDelivery(Span span, Integer status, String error) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        if (status != null) {
            span.setAttribute(HTTP_STATUS, (long) status);
        }
        if (error != null) {
            span.setAttribute(ERROR_TYPE, error);
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** Wraps each connection taken from the pool so its statements get spans; the identity when tracing is off. */
    public UnaryOperator<Connection> connections() {
        return enabled() ? connection -> TracedJdbc.wrap(connection, tracer) : UnaryOperator.identity();
    }

    /** Sends the spans still buffered and stops the exporter. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.close();
        }
    }
}
