package io.audiences.contract;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** Builds checked against an independent computation over the same generated data. */
class AudienceBuildTest extends AudienceTestBase {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private UpstreamFixture data;
    private Tenant tenant;

    @BeforeAll
    void loadData() throws Exception {
        data = new UpstreamFixture(42, 400, TODAY, 20);
        data.write(app.database(), 0);
        tenant = tenant("Builds");
    }

    /** Expected members of an intent audience: records of the given seniorities whose profile has a qualifying signal. */
    private Map<String, Object> expectIntent(List<String> topics, int window, Set<String> seniorities) {
        Set<Integer> keys = topics.stream().map(data::topicKey).collect(Collectors.toSet());
        LocalDate from = TODAY.minusDays(window - 1L);
        Map<Long, Set<LocalDate>> days = new HashMap<>();
        for (UpstreamFixture.Signal s : data.signals) {
            if (keys.contains(s.topicKey()) && !s.day().isBefore(from) && !s.day().isAfter(TODAY)) {
                days.computeIfAbsent(s.profileId(), p -> new HashSet<>()).add(s.day());
            }
        }
        List<UpstreamFixture.ContactRecord> members = data.records.stream()
                .filter(r -> seniorities.contains(r.seniority()) && days.containsKey(r.profileId())).toList();
        Set<Long> profiles = members.stream().map(UpstreamFixture.ContactRecord::profileId).collect(Collectors.toSet());
        Map<String, Long> buckets = new TreeMap<>();
        for (int n : new int[] {1, 3, 7, 14}) {
            if (n <= window) {
                LocalDate since = TODAY.minusDays(n - 1L);
                buckets.put(n + "d", profiles.stream().filter(p -> days.get(p).stream().anyMatch(d -> !d.isBefore(since))).count());
            }
        }
        return Map.of("records", (long) members.size(), "profiles", (long) profiles.size(), "buckets", buckets);
    }

    @Test
    void intentAudienceCountsMatchIndependentComputation() {
        List<String> topics = List.of(data.topicIds.get(0), data.topicIds.get(2));
        long id = create(tenant, Map.of("name", "Security intent", "type", "intents", "intent_window_days", 7,
                "filter", and(rule("INTENT", "in", topics), rule("seniority_level", "in", List.of("director", "vp")))));
        JsonPath done = await(tenant, id, "Completed");
        Map<String, Object> expected = expectIntent(topics, 7, Set.of("director", "vp"));
        assertThat(done.getLong("record_count"), is(expected.get("records")));
        assertThat(done.getLong("distinct_profile_count"), is(expected.get("profiles")));
        assertThat(done.getLong("distinct_profile_count"), lessThan(done.getLong("record_count")));
        Map<String, Object> buckets = done.getMap("bucket_counts");
        Map<String, Long> actual = new TreeMap<>();
        buckets.forEach((k, v) -> actual.put(k, ((Number) v).longValue()));
        assertThat(actual, equalTo(expected.get("buckets")));
        assertThat(done.getString("data_through"), is(TODAY.toString()));
        assertThat(done.getString("refresh_schedule"), is("daily"));
        assertThat(done.getString("segmentation_type"), is("Audience"));
    }

    /**
     * An INTENT rule under OR: every record is a candidate (those without a signal have none of its counts), which
     * builds evaluate another way than a required intent (a staged aggregate on H2, one join on PostgreSQL).
     */
    @Test
    void intentOrPersonaCountsMatchIndependentComputation() {
        List<String> topics = List.of(data.topicIds.get(3));
        long id = create(tenant, Map.of("name", "Intent or VPs", "type", "intents", "intent_window_days", 7,
                "filter", Map.of("condition", "or", "rules", List.of(rule("INTENT", "in", topics),
                        rule("seniority_level", "in", List.of("vp"))))));
        JsonPath done = await(tenant, id, "Completed");
        int key = data.topicKey(topics.getFirst());
        LocalDate from = TODAY.minusDays(6);
        Map<Long, LocalDate> lastDay = new HashMap<>();
        for (UpstreamFixture.Signal s : data.signals) {
            if (s.topicKey() == key && !s.day().isBefore(from) && !s.day().isAfter(TODAY)) {
                lastDay.merge(s.profileId(), s.day(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<UpstreamFixture.ContactRecord> members = data.records.stream()
                .filter(r -> "vp".equals(r.seniority()) || lastDay.containsKey(r.profileId())).toList();
        Set<Long> profiles = members.stream().map(UpstreamFixture.ContactRecord::profileId).collect(Collectors.toSet());
        assertThat(done.getLong("record_count"), is((long) members.size()));
        assertThat(done.getLong("distinct_profile_count"), is((long) profiles.size()));
        assertThat(done.getLong("record_count"), greaterThan(members.stream().filter(r -> "vp".equals(r.seniority())).count()));
        Map<String, Long> expected = new TreeMap<>();
        for (int n : new int[] {1, 3, 7}) {
            LocalDate since = TODAY.minusDays(n - 1L);
            expected.put(n + "d", profiles.stream().filter(p -> lastDay.containsKey(p) && !lastDay.get(p).isBefore(since)).count());
        }
        Map<String, Long> actual = new TreeMap<>();
        done.getMap("bucket_counts").forEach((k, v) -> actual.put((String) k, ((Number) v).longValue()));
        assertThat(actual, equalTo(expected));
    }

    @Test
    void sampleCarriesIntentFrequencyAndImpressionsInStableOrder() {
        List<String> topics = List.of(data.topicIds.get(1));
        long id = create(tenant, Map.of("name", "Sampled", "type", "intents", "intent_window_days", 14,
                "filter", and(rule("INTENT", "in", topics))));
        await(tenant, id, "Completed");
        int key = data.topicKey(topics.getFirst());
        LocalDate from = TODAY.minusDays(13);
        Map<Long, Set<LocalDate>> days = new HashMap<>();
        Map<Long, Long> impressions = new HashMap<>();
        for (UpstreamFixture.Signal s : data.signals) {
            if (s.topicKey() == key && !s.day().isBefore(from)) {
                days.computeIfAbsent(s.profileId(), p -> new HashSet<>()).add(s.day());
                impressions.merge(s.profileId(), (long) s.impressions(), Long::sum);
            }
        }
        List<long[]> expected = data.records.stream().filter(r -> days.containsKey(r.profileId()))
                .map(r -> new long[] {r.id(), days.get(r.profileId()).size(), impressions.get(r.profileId())})
                .sorted((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : a[2] != b[2] ? Long.compare(b[2], a[2])
                        : Long.compare(a[0], b[0]))
                .limit(25).toList();
        JsonPath sample = as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .queryParam("limit", 25).get("/api/v1/audiences/" + id + "/sample").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> contacts = sample.getList("contacts");
        assertThat(contacts.size(), is(25));
        for (int i = 0; i < 25; i++) {
            assertThat(((Number) contacts.get(i).get("record_id")).longValue(), is(expected.get(i)[0]));
            assertThat(((Number) contacts.get(i).get("intent_frequency")).longValue(), is(expected.get(i)[1]));
            assertThat(((Number) contacts.get(i).get("impression_count")).longValue(), is(expected.get(i)[2]));
        }
        assertThat(contacts.getFirst().get("first_name"), is("First" + expected.getFirst()[0]));
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString()).queryParam("limit", 101)
                .get("/api/v1/audiences/" + id + "/sample").then().statusCode(400).body("code", equalTo("invalid_parameter"));
        long preview = create(tenant, Map.of("name", "Preview", "type", "intents", "mode", "preview",
                "filter", and(rule("INTENT", "in", topics))));
        await(tenant, preview, "Completed");
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .get("/api/v1/audiences/" + preview + "/sample").then().statusCode(409).body("code", equalTo("preview_only"));
    }

    @ParameterizedTest(name = "{0} {1} matches buckets {2}")
    @CsvSource(delimiter = ';', value = {
            "gt;200;3,4,5,6,7",
            "gte;201;3,4,5,6,7",
            "lt;500;0,1,2",
            "lte;500;0,1,2,3",
            "between;11,500;1,2,3",
            "gt;10000;7",
            "gte;10001;7",
            "lte;10000;0,1,2,3,4,5,6"})
    void rangeFiltersOnBucketsMatchOnlyWholeBuckets(String operator, String value, String buckets) {
        Object v = value.contains(",") ? List.of(Integer.parseInt(value.split(",")[0]), Integer.parseInt(value.split(",")[1]))
                : Integer.parseInt(value);
        Set<Integer> expectedBuckets = java.util.Arrays.stream(buckets.split(",")).map(Integer::parseInt).collect(Collectors.toSet());
        Set<Long> companies = data.companies.stream().filter(c -> expectedBuckets.contains(c.employeeBucket()))
                .map(UpstreamFixture.Company::id).collect(Collectors.toSet());
        long expected = data.records.stream().filter(r -> companies.contains(r.companyId())).count();
        long id = create(tenant, Map.of("name", "Employees " + operator + " " + value, "type", "elixir",
                "filter", and(rule("company_employee_count", operator, v))));
        JsonPath done = await(tenant, id, "Completed");
        assertThat(done.getLong("record_count"), is(expected));
        assertThat(done.getLong("record_count"), greaterThan(0L));
        assertThat(done.getString("refresh_schedule"), is("weekly"));
    }
}
