package io.audiences.contract;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.config.DecoderConfig;
import io.restassured.config.RestAssuredConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * GET /metrics after real traffic: every family the operators rely on is there with the values the traffic implies,
 * and with a metrics token configured a scrape without it answers 401.
 */
class MetricsTest extends AudienceTestBase {

    private static final String TOKEN = "scrape-" + System.nanoTime();
    private static final int READS = 7;
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private long recordCount;
    private long downloadedBytes;
    private String metrics;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.metrics.token", TOKEN);
        // One wrong password, then the next attempt for the account is throttled (429 too_many_attempts) at once.
        overrides.put("audiences.sign-in.account-free", "1");
        overrides.put("audiences.sign-in.refusal-delay", "PT0S");
        return overrides;
    }

    @BeforeAll
    void traffic() throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        UpstreamFixture data = new UpstreamFixture(5, 200, today, 5);
        data.write(app.database(), 0);
        Tenant tenant = tenant("Metrics");
        long id = create(tenant, Map.of("name", "Measured", "type", "intents", "intent_window_days", 5,
                "filter", and(rule("INTENT", "in", List.of(data.topicIds.get(0), data.topicIds.get(1))))));
        recordCount = await(tenant, id, "Completed").getLong("record_count");
        for (int i = 0; i < READS; i++) {
            get(tenant, id);
        }
        as(tenant.token()).queryParam("project_id", tenant.project().id().toString()).get("/api/v1/audiences/999999999")
                .then().statusCode(404);
        json().body(Map.of("email", tenant.email(), "password", "wrong-password")).post("/auth/v1/login").then().statusCode(401);
        json().body(Map.of("email", tenant.email(), "password", "wrong-password")).post("/auth/v1/login").then().statusCode(429)
                .body("code", is("too_many_attempts"));
        // Taken as sent (gzip, undecoded): the metric counts the bytes on the wire.
        downloadedBytes = as(tenant.token()).queryParam("project_id", tenant.project().id().toString())
                .config(RestAssuredConfig.config().decoderConfig(DecoderConfig.decoderConfig().noContentDecoders()))
                .header("Accept-Encoding", "gzip")
                .get("/api/v1/audiences/" + id + "/download").then().statusCode(200).header("Content-Encoding", "gzip")
                .extract().asByteArray().length;
        metrics = given().header("Authorization", "Bearer " + TOKEN).get("/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain")).extract().asString();
    }

    @Test
    void requestsAreCountedByOperationIdAndStatusWithLatencyHistograms() {
        assertThat(value("audiences_http_requests_seconds_count", Map.of("operation", "getAudience", "status", "200")),
                greaterThanOrEqualTo((double) READS));
        assertThat(value("audiences_http_requests_seconds_bucket", Map.of("operation", "getAudience", "status", "200",
                "le", "+Inf")), greaterThanOrEqualTo((double) READS));
        assertThat(value("audiences_http_requests_seconds_sum", Map.of("operation", "getAudience", "status", "200")),
                greaterThan(0.0));
        assertThat(value("audiences_http_requests_seconds_count", Map.of("operation", "getAudience", "status", "404")),
                greaterThanOrEqualTo(1.0));
        // The raw path (ids) never becomes a label.
        assertThat(metrics, not(containsString("/api/v1/audiences/")));
    }

    @Test
    void problemAnswersAreCountedByCodeIncluding429s() {
        assertThat(value("audiences_http_problems_total", Map.of("operation", "getAudience", "status", "404",
                "code", "not_found")), greaterThanOrEqualTo(1.0));
        assertThat(value("audiences_http_problems_total", Map.of("operation", "login", "status", "429",
                "code", "too_many_attempts")), greaterThanOrEqualTo(1.0));
    }

    @Test
    void failedSignInsAreCountedByReason() {
        assertThat(value("audiences_sign_in_failures_total", Map.of("kind", "user", "reason", "invalid_credentials")),
                greaterThanOrEqualTo(1.0));
        assertThat(value("audiences_sign_in_failures_total", Map.of("kind", "user", "reason", "throttled")),
                greaterThanOrEqualTo(1.0));
    }

    @Test
    void buildsReportTheirDurationsAndTheQueuePerState() {
        assertThat(value("audiences_build_duration_seconds_count", Map.of("outcome", "completed")),
                greaterThanOrEqualTo(1.0));
        assertThat(value("audiences_build_duration_seconds_sum", Map.of("outcome", "completed")), greaterThan(0.0));
        for (String state : List.of("Pending", "Processing", "Syncing")) {
            assertThat(state, value("audiences_builds", Map.of("state", state)), greaterThanOrEqualTo(0.0));
        }
    }

    @Test
    void downloadsCountTheirBytesAndRows() {
        assertThat(downloadedBytes, greaterThan(0L));
        assertThat(value("audiences_download_bytes_total", Map.of()), greaterThanOrEqualTo((double) downloadedBytes));
        assertThat(value("audiences_download_rows_total", Map.of()), greaterThanOrEqualTo((double) recordCount));
    }

    @Test
    void theConnectionPoolReportsUsageAndWaits() {
        assertThat(value("hikaricp_connections_max", Map.of("pool", "audiences")), greaterThan(0.0));
        assertThat(value("hikaricp_connections_acquire_seconds_count", Map.of("pool", "audiences")), greaterThan(0.0));
        assertThat(value("hikaricp_connections_usage_seconds_count", Map.of("pool", "audiences")), greaterThan(0.0));
        assertThat(value("hikaricp_connections_pending", Map.of("pool", "audiences")), greaterThanOrEqualTo(0.0));
        assertThat(value("hikaricp_connections_timeout_total", Map.of("pool", "audiences")), greaterThanOrEqualTo(0.0));
    }

    @Test
    void theJvmReportsMemoryGcAndThreads() {
        assertThat(value("jvm_memory_used_bytes", Map.of("area", "heap")), greaterThan(0.0));
        assertThat(value("jvm_threads_live_threads", Map.of()), greaterThan(0.0));
        assertThat(value("jvm_gc_memory_allocated_bytes_total", Map.of()), greaterThanOrEqualTo(0.0));
    }

    @Test
    void withATokenConfiguredAScrapeWithoutItAnswers401() {
        given().get("/metrics").then().statusCode(401).body("code", is("unauthorized"));
        given().header("Authorization", "Bearer not-" + TOKEN).get("/metrics").then().statusCode(401);
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels}; fails when there is none. */
    private double value(String name, Map<String, String> labels) {
        double sum = 0;
        int found = 0;
        for (String line : metrics.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> present = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(3) == null ? "" : m.group(3));
            while (l.find()) {
                present.put(l.group(1), l.group(2));
            }
            if (present.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(4));
                found++;
            }
        }
        assertThat("samples of " + name + " " + labels, found, greaterThan(0));
        return sum;
    }
}
