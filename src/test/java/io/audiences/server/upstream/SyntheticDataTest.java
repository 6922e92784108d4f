package io.audiences.server.upstream;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.isIn;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

class SyntheticDataTest {

    private static final LocalDate END = LocalDate.of(2026, 11, 26);
    private static final SyntheticData.Spec SPEC = new SyntheticData.Spec(42, 3_000, 14, END, 40_000, 300);

    private static <T> List<T> all(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static List<Upstream.Signal> allSignals(SyntheticData data) {
        List<Upstream.Signal> out = new ArrayList<>();
        for (LocalDate day : data.days()) {
            data.signals(day).forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void sameSeedSameData() {
        SyntheticData a = new SyntheticData(SPEC);
        SyntheticData b = new SyntheticData(SPEC);
        assertThat(b.categories(), is(a.categories()));
        assertThat(b.subcategories(), is(a.subcategories()));
        assertThat(b.topics(), is(a.topics()));
        assertThat(b.companies(), is(a.companies()));
        assertThat(all(b.records()), is(all(a.records())));
        assertThat(allSignals(b), is(allSignals(a)));
        assertThat(b.records(17), is(all(a.records()).stream().filter(r -> r.profileId() == 17).toList()));
    }

    @Test
    void otherSeedOtherData() {
        SyntheticData a = new SyntheticData(SPEC);
        SyntheticData b = new SyntheticData(new SyntheticData.Spec(43, 3_000, 14, END, 40_000, 300));
        assertThat(b.topics(), is(not(a.topics())));
        assertThat(all(b.records()), is(not(all(a.records()))));
        assertThat(all(b.signals(END)), is(not(all(a.signals(END)))));
    }

    @Test
    void aDayIsTheSameWhateverTheWindowEnd() {
        // Late data: a day regenerated later (window shifted by one day, same rate) has the same signals.
        SyntheticData a = new SyntheticData(SPEC);
        SyntheticData b = new SyntheticData(new SyntheticData.Spec(42, 3_000, 14, END.plusDays(1), 40_000, 300));
        assertThat(all(b.signals(END.minusDays(3))), is(all(a.signals(END.minusDays(3)))));
        assertThat(all(a.signals(END.plusDays(1))).isEmpty(), is(true));
    }

    @Test
    void signalsAreValidUniqueAndNearTheTarget() {
        SyntheticData data = new SyntheticData(SPEC);
        List<Upstream.Signal> signals = allSignals(data);
        assertThat(signals.size(), allOf(greaterThan(38_000), lessThan(42_000)));
        Set<Integer> active = data.topics().stream().filter(t -> "active".equals(t.status()))
                .map(Upstream.Topic::topicKey).collect(Collectors.toSet());
        Set<String> keys = new HashSet<>();
        for (Upstream.Signal s : signals) {
            assertThat(s.score(), allOf(greaterThanOrEqualTo(0), lessThanOrEqualTo(100)));
            assertThat(s.impressions(), allOf(greaterThanOrEqualTo(1), lessThanOrEqualTo(50)));
            assertThat(s.profileId(), allOf(greaterThanOrEqualTo(1L), lessThanOrEqualTo(3_000L)));
            assertThat(s.topicKey(), isIn(active));
            assertThat(!s.eventDay().isBefore(SPEC.firstDay()) && !s.eventDay().isAfter(END), is(true));
            assertThat("duplicate " + s, keys.add(s.profileId() + "/" + s.topicKey() + "/" + s.eventDay()), is(true));
        }
        // Profiles come back to their interests: many (profile, topic) pairs occur on several days.
        Map<String, Long> days = signals.stream().collect(Collectors.groupingBy(s -> s.profileId() + "/" + s.topicKey(),
                Collectors.counting()));
        assertThat(days.values().stream().filter(n -> n >= 3).count(), greaterThan(days.size() / 10L));
    }

    @Test
    void topicPopularityIsSkewed() {
        SyntheticData data = new SyntheticData(SPEC);
        Map<Integer, Long> perTopic = allSignals(data).stream()
                .collect(Collectors.groupingBy(Upstream.Signal::topicKey, Collectors.counting()));
        List<Long> sorted = perTopic.values().stream().sorted((x, y) -> Long.compare(y, x)).toList();
        long total = sorted.stream().mapToLong(Long::longValue).sum();
        int activeTopics = data.topicKeysByPopularity().length;
        long top5Percent = sorted.stream().limit(activeTopics / 20).mapToLong(Long::longValue).sum();
        assertThat("the hottest 5% of topics carry over a third of the signals", top5Percent * 3, greaterThan(total));
        long mean = total / activeTopics;
        long cold = activeTopics - perTopic.values().stream().filter(n -> n >= mean / 2).count();
        assertThat("most topics are cold", cold, greaterThan(activeTopics / 2L));
        // The hottest topic by construction is the most signalled one.
        assertThat(perTopic.get(data.topicKeysByPopularity()[0]), is(sorted.getFirst()));
    }

    @Test
    void profilesCarryOneToFourRecordsWithPlausiblePersonas() {
        SyntheticData data = new SyntheticData(SPEC);
        List<Upstream.ContactRecord> records = all(data.records());
        Map<Long, Long> perProfile = records.stream()
                .collect(Collectors.groupingBy(Upstream.ContactRecord::profileId, Collectors.counting()));
        assertThat(perProfile.size(), is(3_000));
        assertThat(new HashSet<>(perProfile.values()), is(Set.of(1L, 2L, 3L, 4L)));
        assertThat(records.size(), allOf(greaterThan(4_800), lessThan(5_700)));
        assertThat(records.stream().map(Upstream.ContactRecord::id).distinct().count(), is((long) records.size()));
        Set<Long> companies = data.companies().stream().map(Upstream.Company::id).collect(Collectors.toSet());
        Map<String, Long> seniority = new HashMap<>();
        for (Upstream.ContactRecord r : records) {
            assertThat(r.seniorityLevel(), isIn(Upstream.SENIORITY_LEVELS));
            assertThat(r.ageBucket(), allOf(greaterThanOrEqualTo(0), lessThan(Upstream.AGE_BUCKETS.size())));
            assertThat(r.incomeBucket(), allOf(greaterThanOrEqualTo(0), lessThan(Upstream.INCOME_BUCKETS.size())));
            assertThat(r.netWorthBucket(), allOf(greaterThanOrEqualTo(0), lessThan(Upstream.NET_WORTH_BUCKETS.size())));
            assertThat(r.gender(), isIn(List.of("male", "female", "unknown")));
            assertThat(r.firstName() != null && r.lastName() != null && r.jobTitle() != null && r.department() != null
                    && r.personalCountry() != null && r.personalZip() != null, is(true));
            if (r.companyId() != null) {
                assertThat(r.companyId(), isIn(companies));
            }
            seniority.merge(r.seniorityLevel(), 1L, Long::sum);
        }
        assertThat(seniority.keySet(), is(Set.copyOf(Upstream.SENIORITY_LEVELS)));
        assertThat("staff outnumber CXOs", seniority.get("staff"), greaterThan(5 * seniority.get("cxo")));
    }

    @Test
    void companiesAndTaxonomyAreWellFormed() {
        SyntheticData data = new SyntheticData(SPEC);
        Map<Integer, Long> sizes = data.companies().stream()
                .collect(Collectors.groupingBy(Upstream.Company::employeeBucket, Collectors.counting()));
        assertThat(sizes.keySet(), everyItem(allOf(greaterThanOrEqualTo(0), lessThan(8))));
        assertThat("small companies outnumber the largest", sizes.getOrDefault(0, 0L), greaterThan(sizes.getOrDefault(7, 0L)));
        assertThat(data.companies().stream().map(Upstream.Company::revenueBucket).toList(),
                everyItem(allOf(greaterThanOrEqualTo(0), lessThan(8))));
        Set<java.util.UUID> categoryIds = data.categories().stream().map(Upstream.Category::id).collect(Collectors.toSet());
        Set<java.util.UUID> subcategoryIds = data.subcategories().stream().map(Upstream.Subcategory::id)
                .collect(Collectors.toSet());
        assertThat(data.subcategories().stream().map(Upstream.Subcategory::categoryId).collect(Collectors.toSet()),
                is(categoryIds));
        assertThat(data.topics().stream().map(Upstream.Topic::subcategoryId).collect(Collectors.toSet()), is(subcategoryIds));
        assertThat(data.topics().size(), is(300));
        assertThat(data.topics().stream().map(Upstream.Topic::id).distinct().count(), is(300L));
        for (Upstream.Topic t : data.topics()) {
            assertThat(t.id().matches("[a-z0-9]+_\\d+"), is(true));
            assertThat(t.topicType(), isIn(Upstream.TOPIC_TYPES));
        }
        assertThat(data.topics().stream().map(Upstream.Topic::topicType).collect(Collectors.toSet()),
                is(Set.copyOf(Upstream.TOPIC_TYPES)));
        long inactive = data.topics().stream().filter(t -> "inactive".equals(t.status())).count();
        assertThat(inactive, allOf(greaterThan(0L), lessThan(30L)));
        assertThat(data.topics().stream().anyMatch(t -> t.id().startsWith("4eyes_")), is(true));
    }
}
