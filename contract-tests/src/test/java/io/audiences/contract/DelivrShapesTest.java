package io.audiences.contract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, items 1-4 and 7: the request and response shapes of Delivr's documentation (domain.md), each sent as
 * Delivr writes it. Counts are checked against the fixture's own data (which records carry the contact keys).
 */
class DelivrShapesTest extends AudienceTestBase {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    /** Records 1..PHONES carry a mobile phone, LinkedIn URL and emails; the others carry none. */
    private static final int PHONES = 17;
    private UpstreamFixture data;
    private Tenant tenant;

    @BeforeAll
    void loadData() throws Exception {
        data = new UpstreamFixture(13, 60, TODAY, 5);
        data.write(app.database(), 0);
        try (Connection c = app.database().connection();
             PreparedStatement ps = c.prepareStatement("UPDATE contact_record SET mobile_phone = ?, linkedin_url = ?, "
                     + "personal_email = ?, current_business_email = ? WHERE id = ?")) {
            for (int id = 1; id <= PHONES; id++) {
                ps.setString(1, "+1 555 01" + String.format("%02d", id));
                ps.setString(2, "https://www.linkedin.com/in/person-" + id);
                ps.setString(3, "person" + id + "@gmail.example");
                ps.setString(4, "person" + id + "@acme.example");
                ps.setLong(5, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        tenant = tenant("Delivr shapes");
    }

    private RequestSpecification scoped() {
        return as(tenant.token()).header("X-Project-Id", tenant.project().id().toString());
    }

    private Map<String, Object> persona(String name, Map<String, Object> rule) {
        return Map.of("name", name, "type", "elixir", "filter", and(rule));
    }

    // ---- 1. audience_name and status on create

    @Test
    void createTakesAudienceNameAndAnInitialPendingStatus() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("audience_name", "Persona with cloud intent");
        body.put("type", "intents");
        body.put("segmentation_type", "Persona");
        body.put("organization_id", tenant.organization().id().toString());
        body.put("project_id", tenant.project().id().toString());
        body.put("status", "Pending");
        body.put("filter", and(rule("INTENT", "in", List.of(data.topicIds.get(0)))));
        long id = ((Number) scoped().body(body).post("/api/v1/audiences").then().statusCode(201)
                .body("name", equalTo("Persona with cloud intent")).body("status", equalTo("Pending"))
                .body("segmentation_type", equalTo("Persona")).extract().path("id")).longValue();
        assertThat(get(tenant, id).getString("name"), is("Persona with cloud intent"));
    }

    @Test
    void nameAndAudienceNameAreOneField() {
        Map<String, Object> both = new HashMap<>(persona("A", rule("seniority_level", "in", List.of("vp"))));
        both.put("audience_name", "A");
        scoped().body(both).post("/api/v1/audiences").then().statusCode(400)
                .body("code", equalTo("name_conflicting")).body("errors[0].pointer", equalTo("/audience_name"));
        Map<String, Object> neither = new HashMap<>(both);
        neither.remove("name");
        neither.remove("audience_name");
        scoped().body(neither).post("/api/v1/audiences").then().statusCode(400)
                .body("code", equalTo("name_required")).body("errors[0].pointer", equalTo("/name"));
        Map<String, Object> completed = new HashMap<>(persona("B", rule("seniority_level", "in", List.of("vp"))));
        completed.put("status", "Completed");
        scoped().body(completed).post("/api/v1/audiences").then().statusCode(400)
                .body("code", equalTo("validation_failed")).body("errors[0].pointer", equalTo("/status"));
        assertThat(scoped().get("/api/v1/audiences").then().statusCode(200).extract().jsonPath().getList("audiences.name"),
                not(hasItem("B")));
    }

    @Test
    void eventsAudiencesHaveTheirOwnCode() {
        scoped().body(Map.of("audience_name", "Pricing page visitors", "type", "events",
                        "filter", and(rule("page_url", "contains", "/pricing"))))
                .post("/api/v1/audiences").then().statusCode(400)
                .body("code", equalTo("events_not_supported")).body("errors[0].pointer", equalTo("/type"));
    }

    // ---- 2. nullable fields are sent as null

    @Test
    void nullableAudienceFieldsAreSentAsNull() {
        long id = create(tenant, Map.of("name", "Manual", "type", "elixir", "refresh_schedule", "manual",
                "filter", and(rule("seniority_level", "in", List.of("cxo")))));
        await(tenant, id, "Completed");
        Map<String, Object> refreshed = scoped().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(200)
                .body("status", equalTo("Pending")).extract().jsonPath().getMap("");
        for (String key : List.of("task_id", "renew_time", "previous_renew_time", "paused_at", "pause_reason")) {
            assertThat(key + " is present", refreshed, hasKey(key));
            assertThat(key + " is null", refreshed.get(key), nullValue());
        }
        Map<String, Object> paused = scoped().post("/api/v1/audiences/" + id + "/pause").then().statusCode(200)
                .extract().jsonPath().getMap("");
        assertThat(paused.get("pause_reason"), is("manual"));
        assertThat(paused, hasKey("previous_renew_time"));
    }

    @Test
    void taxonomyAndCatalogUpdatedAtIsNull() {
        JsonPath categories = as(tenant.token()).get("/taxonomy/categories").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> list = categories.getList("response");
        assertThat(list.isEmpty(), is(false));
        list.forEach(c -> {
            assertThat(c, hasKey("updated_at"));
            assertThat(c.get("updated_at"), nullValue());
        });
        Map<String, Object> topic = as(tenant.token()).get("/taxonomy/topics/" + data.topicIds.get(0)).then().statusCode(200)
                .extract().jsonPath().getMap("response");
        assertThat(topic, hasKey("updated_at"));
        List<Map<String, Object>> fields = as(tenant.token()).get("/api/v1/field-catalog").then().statusCode(200)
                .extract().jsonPath().getList("fields");
        fields.forEach(f -> {
            assertThat(f, hasKey("updated_at"));
            assertThat(f.get("updated_at"), nullValue());
        });
    }

    // ---- 3. persona contact keys

    @Test
    void personaContactKeysFilterTheRecordsThatCarryThem() {
        Map<String, Map<String, Object>> rules = Map.of(
                "mobile_phones", rule("mobile_phones", "contains", "555 01"),
                "linkedin_url", rule("linkedin_url", "contains", "linkedin.com/in/"),
                "personal_email", rule("personal_email", "contains", "@gmail.example"),
                "current_business_email", rule("current_business_email", "contains", "@acme.example"));
        for (Map.Entry<String, Map<String, Object>> e : rules.entrySet()) {
            long id = create(tenant, persona("By " + e.getKey(), e.getValue()));
            assertThat(e.getKey(), await(tenant, id, "Completed").getLong("record_count"), is((long) PHONES));
        }
        long one = create(tenant, persona("One phone", rule("mobile_phones", "eq", "+1 555 0107")));
        assertThat(await(tenant, one, "Completed").getLong("record_count"), is(1L));
        List<Map<String, Object>> contacts = scoped().get("/api/v1/audiences/" + one + "/sample").then().statusCode(200)
                .extract().jsonPath().getList("contacts");
        assertThat(contacts.get(0).get("mobile_phones"), is("+1 555 0107"));
        assertThat(contacts.get(0).get("mobile_phone"), is("+1 555 0107"));
        String csv = scoped().get("/api/v1/audiences/" + one + "/download").then().statusCode(200).extract().asString();
        assertThat(csv.lines().findFirst().orElseThrow().contains(",mobile_phone,mobile_phones,"), is(true));
        assertThat(csv.lines().skip(1).findFirst().orElseThrow().contains(",+1 555 0107,+1 555 0107,"), is(true));
    }

    // ---- 4. field catalog parameters

    @Test
    void fieldCatalogHonoursDelivrsParameters() {
        JsonPath all = as(tenant.token()).get("/api/v1/field-catalog").then().statusCode(200).extract().jsonPath();
        int total = all.getInt("total_count");
        assertThat(all.getList("fields.field_key"), hasItem("mobile_phones"));
        assertThat(all.getList("fields.field_key"), hasItem("linkedin_url"));
        assertThat("include_options defaults to false", all.getList("fields.options"), everyItem(nullValue()));
        for (String[] q : new String[][] {{"schema_type", "audience"}, {"status", "active"}, {"status", "all"}}) {
            as(tenant.token()).queryParam(q[0], q[1]).get("/api/v1/field-catalog").then().statusCode(200)
                    .body("total_count", equalTo(total));
        }
        for (String[] q : new String[][] {{"schema_type", "event"}, {"status", "deprecated"}, {"category", "event"},
                {"category", "identifier"}}) {
            as(tenant.token()).queryParam(q[0], q[1]).get("/api/v1/field-catalog").then().statusCode(200)
                    .body("total_count", equalTo(0)).body("fields.size()", equalTo(0));
        }
        as(tenant.token()).queryParam("status", "gone").get("/api/v1/field-catalog").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("status"));
        as(tenant.token()).queryParam("schema_type", "profile").get("/api/v1/field-catalog").then().statusCode(400)
                .body("errors[0].pointer", equalTo("schema_type"));
        List<Map<String, Object>> seniority = as(tenant.token()).queryParam("include_options", true)
                .queryParam("category", "contact").get("/api/v1/field-catalog").then().statusCode(200).extract()
                .jsonPath().getList("fields.find { it.field_key == 'seniority_level' }.options");
        assertThat(seniority.stream().map(o -> o.get("label")).toList(),
                containsInAnyOrder("CXO", "Director", "Manager", "Staff", "VP"));
    }

    // ---- 7. labels on input, numeric strings, secret enforcement, columns

    @Test
    void seniorityLabelsAndValuesAreBothAcceptedOnInput() {
        long labels = create(tenant, persona("Labels", rule("seniority_level", "in", List.of("CXO", "VP"))));
        long old = create(tenant, persona("Old labels", rule("seniority_level", "in", List.of("Cxo", "Vp"))));
        long values = create(tenant, persona("Values", rule("seniority_level", "in", List.of("cxo", "vp"))));
        long expected = data.records.stream().filter(r -> r.seniority().equals("cxo") || r.seniority().equals("vp")).count();
        for (long id : List.of(labels, old, values)) {
            assertThat(await(tenant, id, "Completed").getLong("record_count"), is(expected));
        }
    }

    @Test
    void rangeValuesMayBeNumericStrings() {
        long number = create(tenant, persona("Number", rule("company_employee_count", "gte", 51)));
        long string = create(tenant, persona("String", rule("company_employee_count", "gte", "51")));
        long between = create(tenant, persona("Between", rule("company_employee_count", "between", List.of("51", "1000"))));
        long betweenNumbers = create(tenant, persona("Between numbers",
                rule("company_employee_count", "between", List.of(51, 1000))));
        assertThat(await(tenant, string, "Completed").getLong("record_count"),
                is(await(tenant, number, "Completed").getLong("record_count")));
        assertThat(await(tenant, between, "Completed").getLong("record_count"),
                is(await(tenant, betweenNumbers, "Completed").getLong("record_count")));
        scoped().body(persona("Not a number", rule("company_employee_count", "gte", "51.5"))).post("/api/v1/audiences")
                .then().statusCode(400).body("errors[0].pointer", equalTo("/filter/rules/0/conditionRules/value"));
    }

    @Test
    void secretEnforcementCanBeTurnedOffAndOnAgain() {
        ApiClient client = apiClient(tenant.token(), "Key only", true);
        withKey(client.apiKey(), null).get("/api/v1/field-catalog").then().statusCode(401);
        as(tenant.token()).body(Map.of("secret_enforced", false)).patch("/client/v1/" + client.clientId()).then()
                .statusCode(200).body("client_id", equalTo(client.clientId())).body("secret_enforced", equalTo(false))
                .body("api_keys[0].key_id", equalTo(client.keyId()));
        withKey(client.apiKey(), null).get("/api/v1/field-catalog").then().statusCode(200);
        withKey(client.apiKey(), "0".repeat(64)).get("/api/v1/field-catalog").then().statusCode(401);
        as(tenant.token()).get("/client/v1").then().statusCode(200)
                .body("clients.find { it.client_id == '" + client.clientId() + "' }.secret_enforced", equalTo(false));
        as(tenant.token()).body(Map.of("secret_enforced", true)).patch("/client/v1/" + client.clientId()).then()
                .statusCode(200).body("secret_enforced", equalTo(true));
        withKey(client.apiKey(), null).get("/api/v1/field-catalog").then().statusCode(401);
        withKey(client.apiKey(), client.apiSecret()).get("/api/v1/field-catalog").then().statusCode(200);

        as(tenant.token()).body(Map.of()).patch("/client/v1/" + client.clientId()).then().statusCode(400)
                .body("code", equalTo("validation_failed"));
        as(tenant.token()).body(Map.of("secret_enforced", false)).patch("/client/v1/" + java.util.UUID.randomUUID())
                .then().statusCode(404);
        json().body(Map.of("secret_enforced", false)).patch("/client/v1/" + client.clientId()).then().statusCode(401);
        as(tenant.token()).contentType("text/plain").body("secret_enforced=false").patch("/client/v1/" + client.clientId())
                .then().statusCode(415);
    }

    @Test
    void downloadChoosesItsColumns() {
        long id = create(tenant, persona("Columns", rule("mobile_phones", "contains", "555 01")));
        await(tenant, id, "Completed");
        String csv = scoped().queryParam("columns", "record_id,mobile_phones,first_name")
                .get("/api/v1/audiences/" + id + "/download").then().statusCode(200).extract().asString();
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0), is("record_id,mobile_phones,first_name"));
        assertThat(lines.size(), is(PHONES + 1));
        assertThat(lines.get(1), is("1,+1 555 0101,First1"));
        String ndjson = scoped().header("Accept", "application/x-ndjson").queryParam("columns", "mobile_phones,record_id")
                .get("/api/v1/audiences/" + id + "/download").then().statusCode(200).extract().asString();
        assertThat(ndjson.lines().findFirst().orElseThrow(), is("{\"mobile_phones\":\"+1 555 0101\",\"record_id\":1}"));
        String all = scoped().get("/api/v1/audiences/" + id + "/download").then().statusCode(200).extract().header("ETag");
        String projected = scoped().queryParam("columns", "record_id,mobile_phones,first_name")
                .get("/api/v1/audiences/" + id + "/download").then().statusCode(200).extract().header("ETag");
        assertThat("a projection is another representation", projected.equals(all), is(false));
        scoped().queryParam("columns", "record_id,ssn").get("/api/v1/audiences/" + id + "/download").then()
                .statusCode(400).body("code", equalTo("unknown_column")).body("errors[0].pointer", equalTo("columns"));
        scoped().queryParam("columns", "record_id,record_id").get("/api/v1/audiences/" + id + "/download").then()
                .statusCode(400).body("code", equalTo("duplicate_column"));
        scoped().queryParam("columns", "record_id,").get("/api/v1/audiences/" + id + "/download").then()
                .statusCode(400).body("code", equalTo("invalid_parameter"));
    }
}
