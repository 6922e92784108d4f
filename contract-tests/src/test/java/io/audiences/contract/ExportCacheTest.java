package io.audiences.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The renderings cached for resumed downloads stay under their byte cap, the least recently used going first,
 * and go away with their build or their audience.
 */
class ExportCacheTest extends AudienceTestBase {

    private static final long CAP = 30_000;
    private Tenant tenant;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.exports.cache-max-bytes", Long.toString(CAP));
        return overrides;
    }

    @BeforeAll
    void loadData() throws Exception {
        new UpstreamFixture(5, 300, LocalDate.now(ZoneOffset.UTC), 3).write(app.database(), 0);
        tenant = tenant("Exports");
    }

    private RequestSpecification scoped() {
        return as(tenant.token()).header("X-Project-Id", tenant.project().id().toString());
    }

    /** A one-byte resumed download of the first {@code limit} records; returns the build it came from. */
    private long oneByte(long audience, int limit) {
        return Long.parseLong(scoped().header("Range", "bytes=0-0").queryParam("record_limit", limit)
                .get("/api/v1/audiences/" + audience + "/download").then().statusCode(206)
                .header("Content-Range", startsWith("bytes 0-0/")).extract().header("X-Audience-Build-Id"));
    }

    private List<Path> renderings() throws IOException {
        Path dir = dataDir.resolve("exports");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private long bytes(List<Path> files) {
        return files.stream().mapToLong(f -> {
            try {
                return Files.size(f);
            } catch (IOException e) {
                return 0;
            }
        }).sum();
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString()).toList();
    }

    @Test
    void fortyRangeRequestsStayUnderTheCapAndTheFilesGoWithTheirBuildAndAudience() throws IOException {
        long audience = create(tenant, Map.of("name", "Exported", "type", "elixir",
                "filter", and(rule("company_employee_count", "gte", 1))));
        assertThat(await(tenant, audience, "Completed").getLong("record_count"), greaterThan(40L));
        long build = oneByte(audience, 1);
        String first = "a" + audience + "-b" + build + "-l1.csv";

        for (int limit = 1; limit <= 40; limit++) {
            oneByte(audience, limit);
            // Keeps the first rendering the most recently used one: it must outlive the later ones.
            oneByte(audience, 1);
            assertThat(bytes(renderings()), lessThanOrEqualTo(CAP));
        }
        List<Path> kept = renderings();
        System.out.printf("[export cache, %s] after 40 one-byte ranges: %d renderings, %d bytes (cap %d)%n",
                TestDatabase.engine(), kept.size(), bytes(kept), CAP);
        assertThat(kept.size(), lessThan(40));
        assertThat(names(kept), hasItem(first));
        assertThat(names(kept), hasItem("a" + audience + "-b" + build + "-l40.csv"));
        assertThat(names(kept), not(hasItem("a" + audience + "-b" + build + "-l2.csv")));

        // A newer build supersedes the renderings of the previous one.
        scoped().post("/api/v1/audiences/" + audience + "/refresh").then().statusCode(200);
        await(tenant, audience, "Completed");
        long rebuilt = oneByte(audience, 3);
        assertThat(rebuilt, is(not(build)));
        assertThat(names(renderings()), everyItem(startsWith("a" + audience + "-b" + rebuilt + "-")));
        assertThat(renderings().size(), is(1));

        // Deleting the audience removes its renderings at once.
        scoped().delete("/api/v1/audiences/" + audience).then().statusCode(204);
        assertThat(renderings(), is(empty()));
    }
}
