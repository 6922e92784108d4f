package io.audiences.contract;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.restassured.config.DecoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** Streaming, resumable downloads of the current snapshot; late upstream data never blocks them. */
class AudienceDownloadTest extends AudienceTestBase {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private UpstreamFixture data;
    private Tenant tenant;
    private long audienceId;
    private long recordCount;

    @BeforeAll
    void loadData() throws Exception {
        data = new UpstreamFixture(11, 300, TODAY, 8);
        // The newest day is late (not landed): the audience is otherwise ready and must download.
        data.write(app.database(), 1);
        tenant = tenant("Downloads");
        audienceId = create(tenant, Map.of("name", "Downloadable", "type", "intents", "intent_window_days", 7,
                "filter", and(rule("INTENT", "in", List.of(data.topicIds.get(0), data.topicIds.get(1))))));
        recordCount = await(tenant, audienceId, "Completed").getLong("record_count");
    }

    private RequestSpecification scoped() {
        return as(tenant.token()).queryParam("project_id", tenant.project().id().toString());
    }

    private Set<Long> expectedRecordIds() {
        Set<Integer> keys = Set.of(data.topicKey(data.topicIds.get(0)), data.topicKey(data.topicIds.get(1)));
        LocalDate through = TODAY.minusDays(1);
        LocalDate from = through.minusDays(6);
        Set<Long> profiles = data.signals.stream().filter(s -> keys.contains(s.topicKey()) && !s.day().isBefore(from)
                && !s.day().isAfter(through)).map(UpstreamFixture.Signal::profileId).collect(Collectors.toSet());
        return data.records.stream().filter(r -> profiles.contains(r.profileId())).map(UpstreamFixture.ContactRecord::id)
                .collect(Collectors.toSet());
    }

    @Test
    void csvParsesAndHoldsExactlyTheMembers() throws IOException {
        Response response = scoped().get("/api/v1/audiences/" + audienceId + "/download");
        response.then().statusCode(200).contentType(startsWith("text/csv")).header("Accept-Ranges", "bytes")
                .header("Content-Disposition", startsWith("attachment; filename=\"audience-" + audienceId));
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(response.asString()),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames().getFirst(), is("record_id"));
            assertThat(parser.getHeaderNames().contains("intent_frequency"), is(true));
            rows = parser.getRecords();
        }
        assertThat((long) rows.size(), is(recordCount));
        Set<Long> ids = rows.stream().map(r -> Long.parseLong(r.get("record_id"))).collect(Collectors.toSet());
        assertThat(ids, equalTo(expectedRecordIds()));
        for (CSVRecord row : rows) {
            assertThat(row.get("first_name"), is("First" + row.get("record_id")));
        }
    }

    @Test
    void recordLimitAndNdjson() {
        String csv = scoped().queryParam("record_limit", 5).get("/api/v1/audiences/" + audienceId + "/download")
                .then().statusCode(200).extract().asString();
        assertThat(csv.split("\r\n").length, is(6));
        String ndjson = scoped().accept("application/x-ndjson").get("/api/v1/audiences/" + audienceId + "/download")
                .then().statusCode(200).contentType(startsWith("application/x-ndjson")).extract().asString();
        assertThat((long) ndjson.split("\n").length, is(recordCount));
        scoped().queryParam("record_limit", 10_000_001).get("/api/v1/audiences/" + audienceId + "/download")
                .then().statusCode(400).body("code", equalTo("invalid_parameter"));
    }

    @Test
    void interruptedDownloadResumesByteIdentically() {
        // Ranges address the identity bytes: a client that means to resume downloads without a content coding.
        // (REST Assured appends gzip to any Accept-Encoding unless its decoders are off.)
        Response full = scoped().config(RestAssuredConfig.config().decoderConfig(DecoderConfig.decoderConfig()
                .noContentDecoders())).header("Accept-Encoding", "identity").get("/api/v1/audiences/" + audienceId + "/download");
        byte[] whole = full.then().statusCode(200).extract().asByteArray();
        String etag = full.getHeader("ETag");
        for (int cut : new int[] {1, 17, whole.length / 3, whole.length - 1}) {
            byte[] rest = scoped().header("Range", "bytes=" + cut + "-").header("If-Range", etag)
                    .get("/api/v1/audiences/" + audienceId + "/download")
                    .then().statusCode(206)
                    .header("Content-Range", "bytes " + cut + "-" + (whole.length - 1) + "/" + whole.length)
                    .extract().asByteArray();
            byte[] joined = new byte[cut + rest.length];
            System.arraycopy(whole, 0, joined, 0, cut);
            System.arraycopy(rest, 0, joined, cut, rest.length);
            assertThat(Arrays.equals(joined, whole), is(true));
        }
        byte[] again = scoped().header("Range", "bytes=0-").header("If-Range", "\"stale\"")
                .get("/api/v1/audiences/" + audienceId + "/download").then().statusCode(200).extract().asByteArray();
        assertThat(new String(again, StandardCharsets.UTF_8), is(new String(whole, StandardCharsets.UTF_8)));
        scoped().header("Range", "bytes=" + whole.length + "-").get("/api/v1/audiences/" + audienceId + "/download")
                .then().statusCode(416).body("code", equalTo("range_not_satisfiable"))
                .header("Content-Range", "bytes */" + whole.length);
    }

    @Test
    void previousSnapshotDownloadsWhileARebuildIsQueuedOrRunning() {
        String build = scoped().get("/api/v1/audiences/" + audienceId + "/download").then().statusCode(200)
                .extract().header("X-Audience-Build-Id");
        scoped().post("/api/v1/audiences/" + audienceId + "/refresh").then().statusCode(200);
        Response during = scoped().get("/api/v1/audiences/" + audienceId + "/download");
        during.then().statusCode(200);
        if (build.equals(during.getHeader("X-Audience-Build-Id"))) {
            assertThat((long) during.asString().split("\r\n").length - 1, is(recordCount));
        }
        await(tenant, audienceId, "Completed");
        scoped().post("/api/v1/audiences/" + audienceId + "/pause").then().statusCode(200);
        scoped().get("/api/v1/audiences/" + audienceId + "/download").then().statusCode(200);
        scoped().post("/api/v1/audiences/" + audienceId + "/resume").then().statusCode(200);
    }
}
