package io.audiences.contract;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every example request of Delivr's documentation quoted in domain.md, sent as written there (paths, headers, query
 * keys, body keys and values; the ids are the caller's own), in the order a client written from those docs would
 * send them; each must succeed. The topic id is domain.md's own, {@code 4eyes_115481}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DelivrExamplesTest extends AudienceTestBase {

    private static final String TOPIC = "4eyes_115481";
    private UpstreamFixture data;
    private Tenant tenant;
    private String token;
    private String apiKey;
    private String apiSecret;
    private long audienceId;

    @BeforeAll
    void loadData() throws Exception {
        data = new UpstreamFixture(21, 80, LocalDate.now(ZoneOffset.UTC), 7);
        data.topicIds.set(0, TOPIC); // topic key 1, the hot topic, under domain.md's example id
        data.write(app.database(), 0);
        tenant = tenant("Delivr examples");
    }

    private String project() {
        return tenant.project().id().toString();
    }

    private RequestSpecification bearer() {
        return as(token);
    }

    @Test
    @Order(1)
    void loginWithEmailAndPassword() {
        // 2.1: POST /auth/v1/login with JSON email, password -> 200 with user_id, organization_id, token.
        token = json().body(Map.of("email", tenant.email(), "password", tenant.password())).post("/auth/v1/login")
                .then().statusCode(200).body("user_id", notNullValue())
                .body("organization_id", equalTo(tenant.organization().id().toString()))
                .body("token", notNullValue()).extract().path("token");
    }

    @Test
    @Order(2)
    void apiClientCreateAndList() {
        // 2.2: POST /client/v1 with Bearer JWT, body { "name": ... } -> 201 with client_id, api_key, api_secret, created_at.
        var created = bearer().body(Map.of("name", "CRM sync")).post("/client/v1").then().statusCode(201)
                .body("api_key", startsWith("dlvr_")).body("api_secret", notNullValue())
                .body("created_at", notNullValue()).extract().jsonPath();
        apiKey = created.getString("api_key");
        apiSecret = created.getString("api_secret");
        // GET /client/v1 -> { clients: [...], total: n }, keys as key_prefix only.
        bearer().get("/client/v1").then().statusCode(200).body("total", equalTo(1))
                .body("clients[0].api_keys[0].key_prefix", startsWith("dlvr_"));
        // Delivr's key-only examples (taxonomy with X-API-Key alone) need enforcement off on this client.
        bearer().body(Map.of("secret_enforced", false)).patch("/client/v1/" + created.getString("client_id"))
                .then().statusCode(200);
    }

    @Test
    @Order(3)
    void appCreateRetrieveAndGet() {
        // 2.4: POST /api/app/create with Bearer JWT, body { "name": ... } -> 201 { "response": { "app_id": ... } }.
        String appId = bearer().body(Map.of("name", "Partner portal")).post("/api/app/create").then().statusCode(201)
                .body("response.app_id", notNullValue()).extract().path("response.app_id");
        bearer().get("/api/app/retrieve/" + appId).then().statusCode(200)
                .body("response.app.app_id", equalTo(appId)).body("response.app.secret.client_id", notNullValue());
        bearer().get("/api/app/get").then().statusCode(200);
    }

    @Test
    @Order(4)
    void taxonomyWithAnApiKeyAlone() {
        // 9 and 8.2: taxonomy with X-API-Key (no secret), ?limit=10&search=, counts via /count.
        given().header("X-API-Key", apiKey).queryParam("limit", 10).queryParam("search", "Topic")
                .get("/taxonomy/topics").then().statusCode(200).body("response.topic_id", org.hamcrest.Matchers.hasItem(TOPIC));
        given().header("X-API-Key", apiKey).get("/taxonomy/categories/count").then().statusCode(200)
                .body("response.count", equalTo(1));
        bearer().get("/taxonomy/categories").then().statusCode(200).body("response[0].updated_at", equalTo(null));
    }

    @Test
    @Order(5)
    void fieldCatalogWithDelivrsQuery() {
        // 5.5: schema_type, category, status, include_options.
        bearer().queryParam("schema_type", "audience").queryParam("category", "contact").queryParam("status", "active")
                .queryParam("include_options", true).get("/api/v1/field-catalog").then().statusCode(200)
                .body("total_count", notNullValue()).body("fields.category", everyItem(equalTo("contact")));
    }

    @Test
    @Order(6)
    void createTheSegmentationGuidesAudience() {
        // 3.1 and 5.4: a Persona audience of type intents with an INTENT rule, audience_name, ids in the body,
        // the project in X-Project-Id, an initial status.
        Map<String, Object> body = Map.of(
                "audience_name", "Persona with cloud intent",
                "type", "intents",
                "segmentation_type", "Persona",
                "organization_id", tenant.organization().id().toString(),
                "project_id", project(),
                "status", "Pending",
                "intent_window_days", 7,
                "filter", Map.of("condition", "and", "rules", List.of(
                        Map.of("fieldName", "INTENT", "conditionRules", Map.of("operator", "in", "value", List.of(TOPIC))),
                        Map.of("fieldName", "seniority_level", "conditionRules",
                                Map.of("operator", "in", "value", List.of("cxo", "director", "manager", "staff", "vp"))))));
        audienceId = ((Number) bearer().header("X-Project-Id", project()).body(body).post("/api/v1/audiences").then()
                .statusCode(201).body("status", equalTo("Pending")).extract().path("id")).longValue();
        // 5.3: contains on company_industry (the filter guide's example), as an elixir persona audience.
        bearer().header("X-Project-Id", project()).body(Map.of("name", "Software companies", "type", "elixir",
                "segmentation_type", "Account", "filter", Map.of("condition", "or", "rules", List.of(Map.of(
                        "fieldName", "company_industry", "conditionRules", Map.of("operator", "contains", "value", "software"))))))
                .post("/api/v1/audiences").then().statusCode(201);
    }

    @Test
    @Order(7)
    void pollListSampleAndDownload() {
        await(tenant, audienceId, "Completed");
        // 4.1: poll GET /{id} (project as ?project_id=); then sample, then download.
        bearer().queryParam("project_id", project()).get("/api/v1/audiences/" + audienceId).then().statusCode(200)
                .body("distinct_profile_count", notNullValue()).body("bucket_counts", notNullValue());
        // May 2026 changelog: GET /api/v1/audiences with X-Api-Key + X-Api-Secret.
        given().header("X-Api-Key", apiKey).header("X-Api-Secret", apiSecret).header("X-Project-Id", project())
                .get("/api/v1/audiences").then().statusCode(200)
                .body("audiences[0]", hasKey("distinct_profile_count"));
        bearer().header("X-Project-Id", project()).get("/api/v1/audiences/" + audienceId + "/sample").then()
                .statusCode(200).body("contacts[0]", hasKey("intent_frequency")).body("contacts[0]", hasKey("impression_count"));
        // 6.2: project_id (required) and record_limit in the query.
        bearer().queryParam("project_id", project()).queryParam("record_limit", 5)
                .get("/api/v1/audiences/" + audienceId + "/download").then().statusCode(200);
    }

    @Test
    @Order(8)
    void editPauseResumeRefresh() {
        // 4.5: PATCH intent_window_days; 4.2-4.4: pause, resume, refresh answer the audience.
        bearer().header("X-Project-Id", project()).body(Map.of("intent_window_days", 3))
                .patch("/api/v1/audiences/" + audienceId).then().statusCode(200).body("intent_window_days", equalTo(3));
        await(tenant, audienceId, "Completed");
        bearer().header("X-Project-Id", project()).post("/api/v1/audiences/" + audienceId + "/pause").then()
                .statusCode(200).body("pause_reason", equalTo("manual"));
        // 4.2: a paused audience can still be downloaded.
        bearer().queryParam("project_id", project()).get("/api/v1/audiences/" + audienceId + "/download").then()
                .statusCode(200);
        bearer().header("X-Project-Id", project()).post("/api/v1/audiences/" + audienceId + "/resume").then()
                .statusCode(200).body("pause_reason", equalTo(null));
        bearer().header("X-Project-Id", project()).post("/api/v1/audiences/" + audienceId + "/refresh").then()
                .statusCode(200).body("status", equalTo("Pending")).body("task_id", equalTo(null));
    }
}
