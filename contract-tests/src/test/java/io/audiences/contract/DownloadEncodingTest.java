package io.audiences.contract;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import io.audiences.server.results.ExportFormat;
import io.audiences.server.results.ResultsService;
import io.audiences.server.results.ResultsStore;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * The bytes of a download do not depend on how they are produced. On PostgreSQL a whole CSV download is rendered by
 * {@code COPY}; it must equal, byte for byte, what the row renderer (the H2 and NDJSON path) writes for a snapshot full
 * of awkward values, and a resumed download must continue it exactly. gzip is negotiated for whole downloads only.
 */
class DownloadEncodingTest extends AudienceTestBase {

    /** Quotes, delimiters, line breaks, non-ASCII, NULL and empty, and what commons-csv quotes but PostgreSQL does not. */
    private static final List<String> AWKWARD = Arrays.asList("O\"Brien", "Smith, Jr.", "line1\nline2", "cr\rlf\r\n",
            "Zoë 東京 😀", null, "", " lead", "trail ", "#hash", "\ttab", "tab\t", "\\.", "back\\slash", "\"", ",",
            "=SUM(A1)", "'quoted'", "a\u0001b", "!", "NULL", "\\N", "\u00a0nbsp", "plain");
    private static final String[] RECORD_COLUMNS = {"first_name", "last_name", "gender", "job_title", "department",
        "personal_email", "personal_city", "personal_zip"};

    private Tenant tenant;
    private long audienceId;
    private final Map<Long, String> firstNames = new HashMap<>();

    @BeforeAll
    void loadAwkwardData() throws Exception {
        UpstreamFixture data = new UpstreamFixture(23, 60, LocalDate.now(ZoneOffset.UTC), 2);
        data.write(app.database(), 0);
        try (Connection c = app.database().connection()) {
            StringBuilder set = new StringBuilder("UPDATE contact_record SET age_bucket = ?");
            for (String column : RECORD_COLUMNS) {
                set.append(", ").append(column).append(" = ?");
            }
            try (PreparedStatement ps = c.prepareStatement(set + " WHERE id = ?")) {
                for (UpstreamFixture.ContactRecord r : data.records) {
                    int i = (int) r.id();
                    // Out-of-range and missing buckets have no label.
                    ps.setObject(1, i % 9 == 0 ? null : (short) (i % 9 == 1 ? 99 : i % 6), Types.SMALLINT);
                    for (int j = 0; j < RECORD_COLUMNS.length; j++) {
                        ps.setString(2 + j, AWKWARD.get((i + 5 * j) % AWKWARD.size()));
                    }
                    ps.setLong(2 + RECORD_COLUMNS.length, r.id());
                    ps.addBatch();
                    firstNames.put(r.id(), AWKWARD.get(i % AWKWARD.size()));
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE company SET name = ?, industry = ?, domain = ?, "
                    + "employee_bucket = ?, revenue_bucket = ? WHERE id = ?")) {
                for (UpstreamFixture.Company co : data.companies) {
                    int i = (int) co.id();
                    ps.setString(1, "Co " + AWKWARD.get(i % AWKWARD.size()));
                    ps.setString(2, AWKWARD.get((i + 3) % AWKWARD.size()));
                    ps.setString(3, AWKWARD.get((i + 11) % AWKWARD.size()));
                    ps.setObject(4, i % 7 == 0 ? null : (short) (i % 5), Types.SMALLINT);
                    ps.setObject(5, i % 4 == 0 ? null : (short) (i % 4 == 1 ? -1 : i % 3), Types.SMALLINT);
                    ps.setLong(6, co.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        tenant = tenant("Encoding");
        audienceId = create(tenant, Map.of("name", "Awkward", "type", "elixir",
                "filter", and(rule("seniority_level", "notin", List.of("cxo")))));
        await(tenant, audienceId, "Completed");
    }

    private HttpResponse<byte[]> download(String query, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/audiences/"
                + audienceId + "/download?project_id=" + tenant.project().id() + query))
                .header("Authorization", "Bearer " + tenant.token());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** What the row renderer writes for the snapshot served in {@code response}. */
    private byte[] rowRenderer(HttpResponse<byte[]> response, long limit, ExportFormat format) throws IOException {
        long build = Long.parseLong(response.headers().firstValue("X-Audience-Build-Id").orElseThrow());
        ResultsService service = new ResultsService(new ResultsStore(app.database()), Files.createTempDirectory("render"),
                Long.MAX_VALUE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        service.writeRows(new ResultsService.Download(audienceId, build, limit, format, List.of()), out);
        return out.toByteArray();
    }

    @Test
    void csvIsTheRowRenderersBytesWithEveryAwkwardValueIntact() throws Exception {
        HttpResponse<byte[]> full = download("", "Accept-Encoding", "identity");
        assertThat(full.statusCode(), is(200));
        assertThat(full.headers().firstValue("Content-Encoding").isPresent(), is(false));
        assertThat(new String(full.body(), StandardCharsets.UTF_8), is(new String(rowRenderer(full, 0, ExportFormat.CSV),
                StandardCharsets.UTF_8)));
        assertThat(Arrays.equals(full.body(), rowRenderer(full, 0, ExportFormat.CSV)), is(true));

        HttpResponse<byte[]> limited = download("&record_limit=7", "Accept-Encoding", "identity");
        assertThat(Arrays.equals(limited.body(), rowRenderer(limited, 7, ExportFormat.CSV)), is(true));

        // Not vacuous: every awkward value came through and reads back as stored (NULL and empty alike as empty).
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(new String(full.body(), StandardCharsets.UTF_8)),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            rows = parser.getRecords();
        }
        assertThat(rows.size() > 2 * AWKWARD.size(), is(true));
        Set<String> seen = new HashSet<>();
        for (CSVRecord row : rows) {
            String stored = firstNames.get(Long.parseLong(row.get("record_id")));
            assertThat(row.get("first_name"), is(stored == null ? "" : stored));
            seen.add(row.get("first_name"));
        }
        assertThat(seen.containsAll(AWKWARD.stream().filter(v -> v != null).toList()), is(true));
    }

    @Test
    void aResumedDownloadContinuesTheWholeOne() throws Exception {
        for (String accept : new String[] {"text/csv", "application/x-ndjson"}) {
            HttpResponse<byte[]> full = download("", "Accept", accept, "Accept-Encoding", "identity");
            byte[] whole = full.body();
            String etag = full.headers().firstValue("ETag").orElseThrow();
            assertThat(Arrays.equals(whole, rowRenderer(full, 0, accept.equals("text/csv") ? ExportFormat.CSV
                    : ExportFormat.NDJSON)), is(true));
            // Cuts inside quoted multi-line values and multi-byte characters included: every offset of the first rows.
            for (int cut = 1; cut < whole.length; cut += cut < 2000 ? 13 : whole.length / 7) {
                HttpResponse<byte[]> rest = download("", "Accept", accept, "Range", "bytes=" + cut + "-", "If-Range", etag,
                        "Accept-Encoding", "gzip");
                assertThat(rest.statusCode(), is(206));
                assertThat("ranges are over the identity bytes", rest.headers().firstValue("Content-Encoding").isPresent(),
                        is(false));
                byte[] joined = Arrays.copyOf(whole, cut + rest.body().length);
                System.arraycopy(rest.body(), 0, joined, cut, rest.body().length);
                assertThat(accept + " cut at " + cut, Arrays.equals(joined, whole), is(true));
            }
            // Served from the rendered file now: still the same bytes.
            assertThat(Arrays.equals(download("", "Accept", accept, "Accept-Encoding", "identity").body(), whole), is(true));
        }
    }

    @Test
    void gzipIsNegotiatedForWholeDownloads() throws Exception {
        HttpResponse<byte[]> plain = download("", "Accept-Encoding", "identity");
        HttpResponse<byte[]> gzip = download("", "Accept-Encoding", "gzip, deflate");
        assertThat(gzip.statusCode(), is(200));
        assertThat(gzip.headers().firstValue("Content-Encoding").orElse(null), is("gzip"));
        assertThat(gzip.headers().firstValue("Vary").orElse(null), is("Accept-Encoding"));
        assertThat(plain.headers().firstValue("Vary").orElse(null), is("Accept-Encoding"));
        String gzipTag = gzip.headers().firstValue("ETag").orElseThrow();
        String plainTag = plain.headers().firstValue("ETag").orElseThrow();
        assertThat("each coding has its own validator", gzipTag, not(plainTag));
        byte[] inflated;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
            inflated = in.readAllBytes();
        }
        assertThat(Arrays.equals(inflated, plain.body()), is(true));
        assertThat(gzip.body().length < plain.body().length, is(true));
        assertThat(download("", "Accept-Encoding", "gzip;q=0").headers().firstValue("Content-Encoding").orElse(null),
                nullValue());
        // The gzip validator names no identity bytes: a range under it is ignored and the whole download sent again.
        HttpResponse<byte[]> stale = download("", "Range", "bytes=10-", "If-Range", gzipTag, "Accept-Encoding", "gzip");
        assertThat(stale.statusCode(), is(200));
        assertThat(stale.headers().firstValue("Content-Encoding").orElse(null), is("gzip"));
    }
}
