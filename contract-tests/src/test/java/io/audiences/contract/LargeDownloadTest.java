package io.audiences.contract;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Half a million records download from the packaged server running with a 64 MB heap (128 MB with the embedded H2
 * and its page cache inside it), plain and gzip-coded: the
 * download streams (COPY on PostgreSQL, a cursor on H2) and never holds the rows; held as contacts they would take
 * several hundred MB. The snapshot is built beforehand in this JVM. bin/bench --inflate runs 10M rows at 128 MB.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeDownloadTest {

    private static final long RECORDS = 500_000;

    private PackagedServer server;

    @AfterAll
    void cleanUp() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void halfAMillionRecordsStreamFromA64MegabyteServer() throws Exception {
        server = PackagedServer.create("large");
        Config config = server.config(Map.of("audiences.builds.poll-interval", "PT0.1S"));
        // 1.75 records per profile on average: comfortably above half a million.
        SyntheticData data = new SyntheticData(new SyntheticData.Spec(5, 320_000, 1,
                LocalDate.now(ZoneOffset.UTC), 50_000, 200));
        String key;
        String secret;
        Project project;
        long audienceId;
        try (Application app = Application.create(config, Clock.SYSTEM).start(config.get("server"))) {
            new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 0, Progress.silent());
            Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, "Large", Optional.empty()));
            project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), "Large"));
            CredentialService.NewClient client = app.database().inTransaction(tx ->
                    app.credentials().createClient(tx, org.id(), "large", true, "read_write"));
            key = client.key().apiKey();
            secret = client.key().apiSecret();
            Principal owner = new Principal(org.id(), Principal.Kind.API_KEY, client.client().id());
            Audience audience = app.audiences().create(owner, project.id(), new AudienceCreateRequestDto().name("Everyone")
                    .type(AudienceTypeDto.ELIXIR).filter(new FilterGroupDto().condition(FilterGroupDto.ConditionEnum.AND)
                            .rules(List.of(new FilterEntryDto().fieldName("seniority_level").conditionRules(
                                    new ConditionRulesDto().operator(FilterOperatorDto.NOTIN).value(new ArrayList<>(List.of("cxo"))))))),
                    TransactionHook.none());
            audienceId = audience.id();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
            Audience built = app.audiences().get(owner, project.id(), audienceId);
            while (built.progress().status() != BuildStatus.COMPLETED) {
                if (Instant.now().isAfter(deadline) || built.progress().status() == BuildStatus.FAILED) {
                    fail("the snapshot was not built: " + built.progress().status() + " " + built.progress().error());
                }
                Thread.sleep(200);
                built = app.audiences().get(owner, project.id(), audienceId);
            }
            assertThat("the snapshot holds at least half a million records", built.counts().recordCount() >= RECORDS, is(true));
        }

        // The embedded H2 lives in the server's heap with its page cache: 128 MB there (at 64 MB it spent minutes
        // collecting garbage); PostgreSQL's server heap holds only the stream, so 64 MB.
        server.start("h2".equals(TestDatabase.engine()) ? "-Xmx128m" : "-Xmx64m");
        HttpClient http = HttpClient.newHttpClient();
        for (String coding : new String[] {"identity", "gzip"}) {
            HttpRequest download = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/audiences/"
                            + audienceId + "/download?record_limit=" + RECORDS + "&project_id=" + project.id()))
                    .header("X-Api-Key", key).header("X-Api-Secret", secret).header("Accept-Encoding", coding).build();
            HttpResponse<java.io.InputStream> response = http.send(download, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode(), is(200));
            assertThat(response.headers().firstValue("Content-Encoding").orElse("identity"), is(coding));
            long lines = 0;
            try (java.io.InputStream body = "gzip".equals(coding) ? new GZIPInputStream(response.body(), 1 << 16)
                    : response.body();
                 BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                while (reader.readLine() != null) {
                    lines++;
                }
            }
            assertThat(coding + ": header + half a million records", lines, is(RECORDS + 1));
        }
        assertThat("the 64 MB server is still up", server.alive(), is(true));
        assertThat(server.logs().contains("OutOfMemoryError"), is(false));
    }
}
