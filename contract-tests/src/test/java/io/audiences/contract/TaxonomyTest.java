package io.audiences.contract;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.audiences.server.platform.Clock;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.Upstream;
import io.audiences.server.upstream.UpstreamWriter;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** The taxonomy API over a generated set bulk-written into the test database, checked against the generated rows. */
class TaxonomyTest extends ServerTestBase {

    private static final LocalDate END = LocalDate.of(2026, 11, 20);

    private SyntheticData data;
    private String token;
    private Map<UUID, Upstream.Subcategory> subcategories;
    private Map<UUID, Upstream.Category> categories;

    @BeforeAll
    void loadData() throws SQLException {
        data = new SyntheticData(new SyntheticData.Spec(11, 400, 4, END, 3_000, 150));
        new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 1, Progress.silent());
        token = tenant("Taxonomy Readers").token();
        subcategories = data.subcategories().stream().collect(Collectors.toMap(Upstream.Subcategory::id, s -> s));
        categories = data.categories().stream().collect(Collectors.toMap(Upstream.Category::id, c -> c));
    }

    private long count(String path, Object... params) {
        var spec = as(token);
        for (int i = 0; i < params.length; i += 2) {
            spec = spec.queryParam((String) params[i], params[i + 1]);
        }
        return ((Number) spec.get(path).then().statusCode(200).extract().path("response.count")).longValue();
    }

    private UUID categoryOf(Upstream.Topic t) {
        return subcategories.get(t.subcategoryId()).categoryId();
    }

    private long topics(Predicate<Upstream.Topic> p) {
        return data.topics().stream().filter(p).count();
    }

    @Test
    void countsEqualTheGeneratedData() {
        assertThat(count("/taxonomy/categories/count"), is((long) data.categories().size()));
        assertThat(count("/taxonomy/subcategories/count"), is((long) data.subcategories().size()));
        assertThat(count("/taxonomy/topics/count"), is((long) data.topics().size()));
        assertThat(count("/taxonomy/topics/count", "topic_type", "B2C"), is(topics(t -> t.topicType().equals("B2C"))));
        assertThat(count("/taxonomy/topics/count", "status", "inactive"), is(topics(t -> t.status().equals("inactive"))));
        assertThat(topics(t -> t.status().equals("inactive")), greaterThan(0L));
        Upstream.Subcategory sub = data.subcategories().get(3);
        assertThat(count("/taxonomy/topics/count", "subcategory_id", sub.id()), is(topics(t -> t.subcategoryId().equals(sub.id()))));
        UUID category = sub.categoryId();
        assertThat(count("/taxonomy/topics/count", "category_id", category, "topic_type", "B2B"),
                is(topics(t -> categoryOf(t).equals(category) && t.topicType().equals("B2B"))));
        assertThat(count("/taxonomy/subcategories/count", "category_id", category),
                is(data.subcategories().stream().filter(s -> s.categoryId().equals(category)).count()));
        assertThat(count("/taxonomy/topics/count", "category_id", UUID.randomUUID()), is(0L));
    }

    @Test
    void topicListCarriesEveryGeneratedTopicWithItsParents() {
        List<Map<String, Object>> items = as(token).queryParam("limit", 1000).get("/taxonomy/topics").then().statusCode(200)
                .extract().path("response");
        assertThat(items, hasSize(data.topics().size()));
        Map<String, Upstream.Topic> byId = data.topics().stream().collect(Collectors.toMap(Upstream.Topic::id, t -> t));
        for (Map<String, Object> item : items) {
            Upstream.Topic t = byId.get((String) item.get("topic_id"));
            Upstream.Subcategory s = subcategories.get(t.subcategoryId());
            assertThat(item.get("name"), equalTo(t.name()));
            assertThat(item.get("topic_type"), equalTo(t.topicType()));
            assertThat(item.get("status"), equalTo(t.status()));
            assertThat(item.get("subcategory_id"), equalTo(s.id().toString()));
            assertThat(item.get("subcategory_name"), equalTo(s.name()));
            assertThat(item.get("category_id"), equalTo(s.categoryId().toString()));
            assertThat(item.get("category_name"), equalTo(categories.get(s.categoryId()).name()));
            assertThat("list items carry no description", item.get("description"), nullValue());
        }
        List<String> names = items.stream().map(i -> (String) i.get("name")).toList();
        assertThat(new HashSet<>(names), is(data.topics().stream().map(Upstream.Topic::name).collect(Collectors.toSet())));
    }

    @Test
    void pagesConcatenateToTheFullList() {
        List<String> full = as(token).queryParam("limit", 1000).get("/taxonomy/topics").then().statusCode(200)
                .extract().path("response.topic_id");
        List<String> paged = new ArrayList<>();
        for (int offset = 0; ; offset += 7) {
            List<String> page = as(token).queryParam("limit", 7).queryParam("offset", offset).get("/taxonomy/topics")
                    .then().statusCode(200).extract().path("response.topic_id");
            paged.addAll(page);
            if (page.size() < 7) {
                break;
            }
        }
        assertThat(paged, is(full));
        List<String> defaultPage = as(token).get("/taxonomy/topics").then().statusCode(200).extract().path("response.topic_id");
        assertThat(defaultPage, is(full.subList(0, 100)));
        List<String> beyond = as(token).queryParam("offset", 100_000).get("/taxonomy/topics").then().statusCode(200)
                .extract().path("response");
        assertThat(beyond, hasSize(0));
    }

    @Test
    void searchIsACaseInsensitiveSubstringOfTheName() {
        String word = data.topics().getFirst().name().split(" ")[0];
        String upper = word.toUpperCase(Locale.ROOT);
        List<String> ids = as(token).queryParam("search", upper).queryParam("limit", 1000).get("/taxonomy/topics").then()
                .statusCode(200).extract().path("response.topic_id");
        Set<String> expected = data.topics().stream()
                .filter(t -> t.name().toLowerCase(Locale.ROOT).contains(word.toLowerCase(Locale.ROOT)))
                .map(Upstream.Topic::id).collect(Collectors.toSet());
        assertThat(new HashSet<>(ids), is(expected));
        assertThat(count("/taxonomy/topics/count", "search", upper), is((long) expected.size()));
        Upstream.Category category = data.categories().get(1);
        List<String> categoryIds = as(token).queryParam("search", category.name().toLowerCase(Locale.ROOT))
                .get("/taxonomy/categories").then().statusCode(200).extract().path("response.category_id");
        assertThat(categoryIds.contains(category.id().toString()), is(true));
        // LIKE wildcards in the search are literal characters.
        assertThat(count("/taxonomy/topics/count", "search", "%"), is(0L));
        assertThat(count("/taxonomy/topics/count", "search", "_"), is(0L));
    }

    @Test
    void filtersSelectExactlyTheMatchingItems() {
        Upstream.Subcategory sub = data.subcategories().get(2);
        List<String> ids = as(token).queryParam("subcategory_id", sub.id()).queryParam("status", "active")
                .queryParam("limit", 1000).get("/taxonomy/topics").then().statusCode(200).extract().path("response.topic_id");
        assertThat(new HashSet<>(ids), is(data.topics().stream()
                .filter(t -> t.subcategoryId().equals(sub.id()) && t.status().equals("active"))
                .map(Upstream.Topic::id).collect(Collectors.toSet())));
        List<String> subIds = as(token).queryParam("category_id", sub.categoryId()).get("/taxonomy/subcategories").then()
                .statusCode(200).extract().path("response.subcategory_id");
        assertThat(new HashSet<>(subIds), is(data.subcategories().stream().filter(s -> s.categoryId().equals(sub.categoryId()))
                .map(s -> s.id().toString()).collect(Collectors.toSet())));
        List<String> categoryNames = as(token).queryParam("status", "active").get("/taxonomy/categories").then()
                .statusCode(200).extract().path("response.name");
        assertThat(categoryNames, is(data.categories().stream().filter(c -> c.status().equals("active"))
                .map(Upstream.Category::name).sorted(Comparator.naturalOrder()).toList()));
    }

    @Test
    void getByIdAddsTheDescription() {
        Upstream.Category c = data.categories().getFirst();
        as(token).get("/taxonomy/categories/" + c.id()).then().statusCode(200)
                .body("response.category_id", equalTo(c.id().toString()))
                .body("response.name", equalTo(c.name()))
                .body("response.description", equalTo(c.description()))
                .body("response.status", equalTo(c.status()));
        String created = as(token).get("/taxonomy/categories/" + c.id()).then().extract().path("response.created_at");
        assertThat(OffsetDateTime.parse(created).toInstant(), is(c.createdAt()));
        Upstream.Subcategory s = data.subcategories().getFirst();
        as(token).get("/taxonomy/subcategories/" + s.id()).then().statusCode(200)
                .body("response.name", equalTo(s.name()))
                .body("response.description", equalTo(s.description()))
                .body("response.category_name", equalTo(categories.get(s.categoryId()).name()));
        Upstream.Topic t = data.topics().get(5);
        as(token).get("/taxonomy/topics/" + t.id()).then().statusCode(200)
                .body("response.topic_id", equalTo(t.id()))
                .body("response.description", equalTo(t.description()))
                .body("response.keywords", equalTo(List.of(t.keywords().split(","))))
                .body("response.topic_type", equalTo(t.topicType()));
    }

    @Test
    void unknownIdsAre404AndMalformedOnes400() {
        as(token).get("/taxonomy/categories/" + UUID.randomUUID()).then().statusCode(404).body("code", equalTo("not_found"));
        as(token).get("/taxonomy/subcategories/" + UUID.randomUUID()).then().statusCode(404);
        as(token).get("/taxonomy/topics/4eyes_1").then().statusCode(404).body("code", equalTo("not_found"));
        as(token).get("/taxonomy/categories/not-a-uuid").then().statusCode(400)
                .body("errors[0].pointer", equalTo("category_id"));
        as(token).get("/taxonomy/topics/" + "x".repeat(65)).then().statusCode(400);
        as(token).get("/taxonomy/subcategories/not-a-uuid").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("subcategory_id"));
    }

    @Test
    void countPathsWinOverIdPaths() {
        // /categories/count is not read as a category id (which would be a 400), /topics/count not as a topic (404).
        as(token).get("/taxonomy/categories/count").then().statusCode(200).body("response.count", equalTo(data.categories().size()));
        as(token).get("/taxonomy/topics/count").then().statusCode(200).body("response.count", equalTo(data.topics().size()));
    }

    @Test
    void badParametersAre400() {
        for (String limit : List.of("0", "1001", "-5", "ten")) {
            as(token).queryParam("limit", limit).get("/taxonomy/topics").then().statusCode(400)
                    .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("limit"));
        }
        as(token).queryParam("offset", "-1").get("/taxonomy/categories").then().statusCode(400);
        as(token).queryParam("topic_type", "b2b").get("/taxonomy/topics").then().statusCode(400)
                .body("errors[0].pointer", equalTo("topic_type"));
        as(token).queryParam("status", "deleted").get("/taxonomy/topics/count").then().statusCode(400);
        as(token).queryParam("category_id", "nope").get("/taxonomy/subcategories").then().statusCode(400);
        as(token).queryParam("search", "y".repeat(201)).get("/taxonomy/categories").then().statusCode(400);
        as(token).queryParam("search", "y".repeat(201)).get("/taxonomy/categories/count").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("search"));
        as(token).queryParam("status", "archived").get("/taxonomy/categories/count").then().statusCode(400)
                .body("errors[0].pointer", equalTo("status"));
        as(token).queryParam("category_id", "nope").get("/taxonomy/subcategories/count").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("category_id"));
        as(token).queryParam("category", "weather").get("/api/v1/field-catalog").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("category"));
        as(token).queryParam("include_options", "maybe").get("/api/v1/field-catalog").then().statusCode(400)
                .body("errors[0].pointer", equalTo("include_options"));
    }

    @Test
    void credentialsAreRequired() {
        given().get("/taxonomy/topics").then().statusCode(401);
        given().get("/taxonomy/categories/count").then().statusCode(401);
    }

    @Test
    void bulkWriteLeftTheNewestDayUnlandedUntilItLands() throws SQLException {
        List<LocalDate> days = data.days();
        LocalDate late = days.getLast();
        UpstreamWriter writer = new UpstreamWriter(app.database(), Clock.SYSTEM);
        assertThat(writer.landedDays(), is(days.subList(0, days.size() - 1)));
        long expectedBefore = days.subList(0, days.size() - 1).stream().mapToLong(this::generated).sum();
        assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(expectedBefore));
        assertThat(scalar("SELECT COUNT(*) FROM contact_record"), is(count(data.records())));
        assertThat(scalar("SELECT COUNT(DISTINCT profile_id) FROM contact_record"), is(400L));
        assertThat(scalar("SELECT COUNT(*) FROM company"), is((long) data.companies().size()));
        OffsetDateTime lastLandedBefore = lastLanded();
        long landed = writer.landDay(data, late);
        assertThat(landed, is(generated(late)));
        assertThat(writer.landedDays(), is(days));
        assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(expectedBefore + landed));
        assertThat(scalar("SELECT signal_count FROM upstream_partition WHERE event_day = DATE '" + late + "'"), is(landed));
        // Only the late day's partition is new; the others keep their landed_at.
        assertThat(scalar("SELECT COUNT(*) FROM upstream_partition WHERE landed_at > TIMESTAMP WITH TIME ZONE '"
                + lastLandedBefore + "'"), is(1L));
    }

    private OffsetDateTime lastLanded() throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(landed_at) FROM upstream_partition")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }

    private long generated(LocalDate day) {
        return count(data.signals(day));
    }

    private static long count(java.util.Iterator<?> it) {
        long n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }

    private long scalar(String sql) throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
