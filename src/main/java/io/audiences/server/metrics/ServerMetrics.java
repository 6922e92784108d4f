package io.audiences.server.metrics;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.audiences.server.signin.SignInAttempt;
import io.audiences.server.signin.SignInEvents;
import io.audiences.server.signin.SignInThrottle;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.providers.micrometer.MicrometerPrometheusFormatter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The metrics of one server instance, served by {@code GET /metrics} in the Prometheus text format. Helidon's metrics
 * API on its Micrometer provider: each {@code Application} has a registry of its own (tests run several in one JVM),
 * and Micrometer's own binders add the JVM and the HikariCP pool to it under the names dashboards already know.
 *
 * <p>Every meter, ours included, is registered through the Micrometer registry, never Helidon's {@code getOrCreate}:
 * Helidon's registry takes its own lock and then Micrometer's, while a meter Micrometer adds by itself (the GC binder
 * registers a pause timer on the JVM's notification thread the first time a collection of a kind happens) takes
 * Micrometer's and then Helidon's. Mixing the two orders deadlocked a server starting while a collection was reported;
 * registering through Micrometer only keeps one order.
 *
 * <p>Labels are bounded by construction: the contract's operation ids (never a raw path), status codes, problem
 * codes, build states and outcomes. A request costs a map lookup and a timer update.
 */
public final class ServerMetrics implements AutoCloseable {

    /** The operation label of a request that matched no contract operation (a 404 on an unknown path). */
    public static final String NO_OPERATION = "none";
    /** Latency buckets: a read answers in milliseconds, a sign-in in tens of them, a large download in seconds. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
    private static final Duration[] BUILD_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofHours(1)};

    private final MeterRegistry registry;
    private final io.micrometer.core.instrument.MeterRegistry micrometer;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, Timer> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> problems = new ConcurrentHashMap<>();
    private final Counter downloadBytes;
    private final Counter downloadRows;

    public ServerMetrics() {
        this.registry = MeterRegistry.create(MetricsConfig.create());
        this.micrometer = registry.unwrap(io.micrometer.core.instrument.MeterRegistry.class);
        new JvmMemoryMetrics().bindTo(micrometer);
        gc.bindTo(micrometer);
        new JvmThreadMetrics().bindTo(micrometer);
        new ClassLoaderMetrics().bindTo(micrometer);
        new ProcessorMetrics().bindTo(micrometer);
        new UptimeMetrics().bindTo(micrometer);
        this.downloadBytes = Counter.builder("audiences.download.bytes").baseUnit("bytes")
                .description("Bytes of audience downloads sent (after compression, ranges included)").register(micrometer);
        this.downloadRows = Counter.builder("audiences.download.rows")
                .description("Rows of audience downloads sent in full").register(micrometer);
    }

    /** The Micrometer registry underneath, for binders that speak Micrometer (HikariCP's). */
    public io.micrometer.core.instrument.MeterRegistry micrometer() {
        return micrometer;
    }

    /**
     * One answered request.
     *
     * @param operationId the contract operation, or {@link #NO_OPERATION}
     * @param problemCode the problem+json {@code code} of an error answer, or null
     */
    public void request(String operationId, int status, String problemCode, long nanos) {
        requests.computeIfAbsent(operationId + ' ' + status, key ->
                        Timer.builder("audiences.http.requests").description("Requests by contract operation and status")
                                .tags(Tags.of("operation", operationId, "status", Integer.toString(status)))
                                .serviceLevelObjectives(LATENCY_BUCKETS).register(micrometer))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (problemCode != null) {
            problems.computeIfAbsent(operationId + ' ' + status + ' ' + problemCode, key ->
                    Counter.builder("audiences.http.problems")
                            .description("Problem answers by operation, status and code (429: rate_limited, "
                                    + "build_backlog_full, too_many_attempts)")
                            .tags(Tags.of("operation", operationId, "status", Integer.toString(status), "code", problemCode))
                            .register(micrometer)).increment();
        }
    }

    /** Counts failed sign-ins by credential kind and reason: {@code invalid_credentials} or {@code throttled}. */
    public SignInEvents signInEvents() {
        return new SignInEvents() {
            @Override
            public void failed(SignInAttempt attempt) {
                signInFailed(attempt.kind(), "invalid_credentials");
            }

            @Override
            public void throttled(SignInAttempt attempt, SignInThrottle.Verdict verdict) {
                signInFailed(attempt.kind(), "throttled");
            }
        };
    }

    private void signInFailed(SignInAttempt.Kind kind, String reason) {
        Counter.builder("audiences.sign.in.failures")
                .description("Failed sign-ins by credential kind (user, app) and reason")
                .tags(Tags.of("kind", kind.name().toLowerCase(Locale.ROOT), "reason", reason)).register(micrometer)
                .increment();
    }

    /** A build a worker of this instance ran, by outcome (completed, failed, superseded, handed_back). */
    public void build(String outcome, long nanos) {
        Timer.builder("audiences.build.duration")
                .description("Time a worker of this instance spent on a build, by outcome")
                .tags(Tags.of("outcome", outcome)).serviceLevelObjectives(BUILD_BUCKETS).register(micrometer)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Gauges of the builds per state, read through {@code counts} (a query) at most once per {@code maxAge}
     * whatever the scrape rate: one query for the whole deployment's builds, never one per tenant.
     */
    public void buildStates(List<String> states, Supplier<Map<String, Long>> counts, Duration maxAge) {
        CachedCounts cached = new CachedCounts(counts, maxAge.toNanos());
        for (String state : states) {
            Gauge.builder("audiences.builds", () -> cached.get(state))
                    .description("Builds waiting for or held by a worker, per state (all instances; NaN while the "
                            + "database does not answer)")
                    .tags(Tags.of("state", state)).register(micrometer);
        }
    }

    /** Counts the bytes written through {@code out} as download bytes (when it is closed, also on a cut transfer). */
    public OutputStream countingDownload(OutputStream out) {
        return new FilterOutputStream(out) {
            private long bytes;

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                bytes += len;
            }

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    downloadBytes.increment(bytes);
                    bytes = 0;
                }
            }
        };
    }

    /** Rows of a download sent in full. */
    public void downloadRows(long rows) {
        downloadRows.increment(rows);
    }

    /** Everything, in the Prometheus text format 0.0.4. */
    public String scrape() {
        return MicrometerPrometheusFormatter.builder(registry).resultMediaType(MediaTypes.TEXT_PLAIN).build().format()
                .map(Object::toString).orElse("");
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** The last counts read and when; unknown (NaN) for every state while the read fails. */
    private static final class CachedCounts {
        private final Supplier<Map<String, Long>> read;
        private final long maxAgeNanos;
        private Map<String, Long> counts;
        private long readAt;

        CachedCounts(Supplier<Map<String, Long>> read, long maxAgeNanos) {
            this.read = read;
            this.maxAgeNanos = maxAgeNanos;
        }

        synchronized double get(String state) {
            long now = System.nanoTime();
            if (readAt == 0 || now - readAt >= maxAgeNanos) {
                try {
                    counts = read.get();
                } catch (RuntimeException e) {
                    // The database is away: report unknown rather than zero, and do not ask again before maxAge.
                    counts = null;
                }
                readAt = now == 0 ? 1 : now;
            }
            return counts == null ? Double.NaN : counts.getOrDefault(state, 0L);
        }
    }
}
