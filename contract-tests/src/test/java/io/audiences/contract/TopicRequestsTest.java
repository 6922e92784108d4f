package io.audiences.contract;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * Taxonomy topic requests and reviews (issue 13 item 5): the contract's examples sent literally, tenant isolation, and
 * the reviewer rule (only the configured reviewer organization decides; deciding twice or editing a decided request is
 * a conflict).
 */
class TopicRequestsTest extends ServerTestBase {

    /** The subcategory the contract's examples name (Technology > Cloud Computing). */
    private static final UUID EXAMPLE_CATEGORY = UUID.fromString("0f8e3c1a-5b2d-4c7e-9a41-3d2b1c0e9f11");
    private static final UUID EXAMPLE_SUBCATEGORY = UUID.fromString("6a1d2f3e-4b5c-4d6e-8f70-1a2b3c4d5e6f");
    /** The request body of the create and replace examples, byte for byte. */
    private static final String EXAMPLE_BODY = """
            {"name": "Platform Engineering Hiring",
             "description": "Companies researching platform engineering roles and tooling.",
             "subcategory_id": "6a1d2f3e-4b5c-4d6e-8f70-1a2b3c4d5e6f",
             "topic_type": "B2B",
             "keywords": ["platform engineering", "internal developer platform"]}""";

    private Tenant tenant;
    private Tenant other;
    private String reviewer;

    @BeforeAll
    void createTenants() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        app.database().inTransaction(tx -> {
            tx.insert("INSERT INTO taxonomy_category (id, name, status, created_at) VALUES (?, 'Technology', 'active', ?)",
                    EXAMPLE_CATEGORY, now);
            tx.insert("INSERT INTO taxonomy_subcategory (id, category_id, name, status, created_at) "
                    + "VALUES (?, ?, 'Cloud Computing', 'active', ?)", EXAMPLE_SUBCATEGORY, EXAMPLE_CATEGORY, now);
            return null;
        });
        tenant = tenant("Topic requesters");
        other = tenant("Other requesters");
        reviewer = reviewerToken();
    }

    private String create(String token, String name) {
        return as(token).body(Map.of("name", name)).post("/taxonomy/topic-requests").then().statusCode(201)
                .extract().path("response.topic_request_id");
    }

    private String storedStatus(String id) {
        return app.database().client().execute().get("SELECT status FROM topic_request WHERE id = ?", UUID.fromString(id))
                .map(r -> r.column("status").get(String.class)).orElseThrow();
    }

    @Test
    void theDocumentedExamplesSucceedAsSent() {
        var created = as(tenant.token()).body(EXAMPLE_BODY).post("/taxonomy/topic-requests").then().statusCode(201)
                .body("response.name", equalTo("Platform Engineering Hiring"))
                .body("response.description", equalTo("Companies researching platform engineering roles and tooling."))
                .body("response.subcategory_id", equalTo(EXAMPLE_SUBCATEGORY.toString()))
                .body("response.topic_type", equalTo("B2B"))
                .body("response.keywords", equalTo(List.of("platform engineering", "internal developer platform")))
                .body("response.status", equalTo("waiting_for_approval"))
                .body("response.organization_id", equalTo(tenant.organization().id().toString()))
                .body("response.topic_id", matchesPattern("req_[0-9a-f]{16}"))
                .body("response.reviewed_at", nullValue())
                .extract().jsonPath();
        String id = created.getString("response.topic_request_id");
        String topicId = created.getString("response.topic_id");
        assertThat(storedStatus(id), equalTo("waiting_for_approval"));

        // Delivr's list parameters: limit and search (and the count endpoint beside the list).
        as(tenant.token()).queryParam("limit", 10).queryParam("search", "platform engineering")
                .get("/taxonomy/topic-requests").then().statusCode(200)
                .body("response", hasSize(1)).body("response[0].topic_request_id", equalTo(id));
        as(tenant.token()).queryParam("search", "platform engineering").get("/taxonomy/topic-requests/count").then()
                .statusCode(200).body("response.count", equalTo(1));
        as(tenant.token()).get("/taxonomy/topic-requests/" + id).then().statusCode(200)
                .body("response.topic_id", equalTo(topicId));
        as(tenant.token()).body(EXAMPLE_BODY.replace("Hiring", "Adoption")).put("/taxonomy/topic-requests/" + id).then()
                .statusCode(200).body("response.name", equalTo("Platform Engineering Adoption"))
                .body("response.updated_at", notNullValue()).body("response.status", equalTo("waiting_for_approval"));
        as(tenant.token()).get("/taxonomy/topic-reviews/" + topicId).then().statusCode(200).body("response", hasSize(0));

        as(reviewer).body("{\"status\": \"accepted\", \"note\": \"Fits Technology > Cloud Computing.\"}")
                .post("/taxonomy/topic-reviews/" + topicId).then().statusCode(201)
                .body("response.status", equalTo("accepted")).body("response.topic_request_id", equalTo(id))
                .body("response.topic_id", equalTo(topicId)).body("response.note", equalTo("Fits Technology > Cloud Computing."));
        as(tenant.token()).get("/taxonomy/topic-requests/" + id).then().statusCode(200)
                .body("response.status", equalTo("accepted"))
                .body("response.review_note", equalTo("Fits Technology > Cloud Computing."))
                .body("response.reviewed_at", notNullValue());
        as(tenant.token()).get("/taxonomy/topic-reviews/" + topicId).then().statusCode(200).body("response", hasSize(1))
                .body("response[0].status", equalTo("accepted"));
        assertThat(storedStatus(id), equalTo("accepted"));
    }

    @Test
    void tenantsNeverSeeOrChangeEachOthersRequests() {
        String mine = create(tenant.token(), "Isolation probe " + UUID.randomUUID());
        String topicId = as(tenant.token()).get("/taxonomy/topic-requests/" + mine).then().statusCode(200)
                .extract().path("response.topic_id");
        long othersBefore = as(other.token()).get("/taxonomy/topic-requests/count").then().statusCode(200)
                .extract().jsonPath().getLong("response.count");

        as(other.token()).queryParam("limit", 1000).get("/taxonomy/topic-requests").then().statusCode(200)
                .body("response.topic_request_id", not(hasItem(mine)));
        as(other.token()).queryParam("search", "Isolation probe").get("/taxonomy/topic-requests/count").then()
                .statusCode(200).body("response.count", equalTo(0));
        as(other.token()).get("/taxonomy/topic-requests/" + mine).then().statusCode(404).body("code", equalTo("not_found"));
        as(other.token()).body(Map.of("name", "Hijacked")).put("/taxonomy/topic-requests/" + mine).then().statusCode(404)
                .body("code", equalTo("not_found"));
        as(other.token()).get("/taxonomy/topic-reviews/" + topicId).then().statusCode(404).body("code", equalTo("not_found"));
        // Another tenant's API key neither.
        ApiClient key = apiClient(other.token(), "Topic reader", true);
        withKey(key.apiKey(), key.apiSecret()).get("/taxonomy/topic-requests/" + mine).then().statusCode(404);
        assertThat(storedStatus(mine), equalTo("waiting_for_approval"));
        assertThat(app.database().client().execute().get("SELECT name FROM topic_request WHERE id = ?", UUID.fromString(mine))
                .map(r -> r.column("name").get(String.class)).orElseThrow(), matchesPattern("Isolation probe .*"));

        // A parent organization reaches its child's requests; the child does not reach its parent's.
        String child = childOrganization(tenant.token(), "Requesting child", null);
        String childToken = userToken(tenant.token(), child);
        String childRequest = create(childToken, "Child topic");
        as(tenant.token()).get("/taxonomy/topic-requests/" + childRequest).then().statusCode(200);
        as(childToken).get("/taxonomy/topic-requests/" + mine).then().statusCode(404);
        // The reviewer reaches every tenant's.
        as(reviewer).queryParam("limit", 1000).get("/taxonomy/topic-requests").then().statusCode(200)
                .body("response.topic_request_id", hasItem(mine)).body("response.topic_request_id", hasItem(childRequest));
        as(other.token()).get("/taxonomy/topic-requests/count").then().statusCode(200)
                .body("response.count", equalTo((int) othersBefore));
    }

    @Test
    void onlyReviewersDecideAndADecisionIsFinal() {
        String id = create(tenant.token(), "Review rules");
        String topicId = as(tenant.token()).get("/taxonomy/topic-requests/" + id).then().extract().path("response.topic_id");

        // The requester (or any tenant) is not a reviewer, even of its own request.
        as(tenant.token()).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/" + topicId).then()
                .statusCode(403).body("code", equalTo("reviewer_only"));
        as(other.token()).body(Map.of("status", "rejected")).post("/taxonomy/topic-reviews/" + topicId).then()
                .statusCode(403).body("code", equalTo("reviewer_only"));
        assertThat(storedStatus(id), equalTo("waiting_for_approval"));

        // A note leaves it waiting; a rejection decides it.
        as(reviewer).body(Map.of("status", "waiting_for_approval", "note", "Which subcategory?"))
                .post("/taxonomy/topic-reviews/" + topicId).then().statusCode(201);
        assertThat(storedStatus(id), equalTo("waiting_for_approval"));
        as(reviewer).body(Map.of("status", "rejected", "note", "Too close to an existing topic."))
                .post("/taxonomy/topic-reviews/" + topicId).then().statusCode(201);
        assertThat(storedStatus(id), equalTo("rejected"));
        as(tenant.token()).queryParam("status", "rejected").get("/taxonomy/topic-requests").then().statusCode(200)
                .body("response.topic_request_id", hasItem(id));
        as(tenant.token()).get("/taxonomy/topic-reviews/" + topicId).then().statusCode(200)
                .body("response.status", equalTo(List.of("waiting_for_approval", "rejected")));

        // Final: no second decision, no note, no edit.
        as(reviewer).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/" + topicId).then()
                .statusCode(409).body("code", equalTo("topic_request_decided"));
        as(reviewer).body(Map.of("status", "waiting_for_approval")).post("/taxonomy/topic-reviews/" + topicId).then()
                .statusCode(409).body("code", equalTo("topic_request_decided"));
        as(tenant.token()).body(Map.of("name", "Renamed")).put("/taxonomy/topic-requests/" + id).then()
                .statusCode(409).body("code", equalTo("topic_request_decided"));
        assertThat(storedStatus(id), equalTo("rejected"));

        as(reviewer).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/req_0000000000000000").then()
                .statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void aSubcategoryMustExist() {
        as(tenant.token()).body(Map.of("name", "Nowhere", "subcategory_id", UUID.randomUUID().toString()))
                .post("/taxonomy/topic-requests").then().statusCode(400).body("code", equalTo("unknown_subcategory"))
                .body("errors[0].pointer", equalTo("/subcategory_id"));
        as(tenant.token()).body(Map.of("name", "Comma", "keywords", List.of("a,b")))
                .post("/taxonomy/topic-requests").then().statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors[0].pointer", equalTo("/keywords/0"));
    }

    /** An audience create naming {@code topicId} in an INTENT rule, as the tenant's project. */
    private io.restassured.response.Response audienceNaming(String topicId) {
        return as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .body(Map.of("name", "Audience of " + topicId, "type", "intents", "filter", Map.of("condition", "and",
                        "rules", List.of(Map.of("fieldName", "INTENT", "conditionRules",
                                Map.of("operator", "in", "value", List.of(topicId)))))))
                .post("/api/v1/audiences");
    }

    @Test
    void anAcceptedTopicJoinsTheCatalogAndARejectedOneNever() {
        String name = "Accepted topic " + UUID.randomUUID();
        var created = as(tenant.token()).body(EXAMPLE_BODY.replace("Platform Engineering Hiring", name))
                .post("/taxonomy/topic-requests").then().statusCode(201).extract().jsonPath();
        String topicId = created.getString("response.topic_id");
        // Before the decision the topic is not in the catalog, so no audience may name it.
        as(tenant.token()).get("/taxonomy/topics/" + topicId).then().statusCode(404);
        audienceNaming(topicId).then().statusCode(400).body("code", equalTo("unknown_topic"));

        as(reviewer).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/" + topicId).then().statusCode(201);
        as(other.token()).get("/taxonomy/topics/" + topicId).then().statusCode(200)
                .body("response.topic_id", equalTo(topicId)).body("response.name", equalTo(name))
                .body("response.subcategory_id", equalTo(EXAMPLE_SUBCATEGORY.toString()))
                .body("response.subcategory_name", equalTo("Cloud Computing"))
                .body("response.category_name", equalTo("Technology"))
                .body("response.topic_type", equalTo("B2B")).body("response.status", equalTo("active"))
                .body("response.keywords", equalTo(List.of("platform engineering", "internal developer platform")));
        as(tenant.token()).queryParam("search", name).get("/taxonomy/topics").then().statusCode(200)
                .body("response.topic_id", equalTo(List.of(topicId)));
        as(tenant.token()).queryParam("search", name).get("/taxonomy/topics/count").then().statusCode(200)
                .body("response.count", equalTo(1));
        audienceNaming(topicId).then().statusCode(201).body("type", equalTo("intents"));

        String rejectedTopic = as(tenant.token()).body(EXAMPLE_BODY.replace("Platform Engineering Hiring", "Rejected " + name))
                .post("/taxonomy/topic-requests").then().statusCode(201).extract().path("response.topic_id");
        as(reviewer).body(Map.of("status", "rejected")).post("/taxonomy/topic-reviews/" + rejectedTopic).then().statusCode(201);
        as(tenant.token()).get("/taxonomy/topics/" + rejectedTopic).then().statusCode(404).body("code", equalTo("not_found"));
        assertThat(app.database().client().execute().get("SELECT COUNT(*) AS n FROM taxonomy_topic WHERE id = ?", rejectedTopic)
                .map(r -> r.column("n").get(Long.class)).orElseThrow(), equalTo(0L));
        audienceNaming(rejectedTopic).then().statusCode(400).body("code", equalTo("unknown_topic"));
    }

    @Test
    void aRequestWithoutSubcategoryOrTypeCannotBeAcceptedUntilCompleted() {
        String id = create(tenant.token(), "Incomplete " + UUID.randomUUID());
        String topicId = as(tenant.token()).get("/taxonomy/topic-requests/" + id).then().extract().path("response.topic_id");
        as(reviewer).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/" + topicId).then().statusCode(409)
                .body("code", equalTo("topic_request_incomplete"));
        assertThat(storedStatus(id), equalTo("waiting_for_approval"));
        as(tenant.token()).get("/taxonomy/topics/" + topicId).then().statusCode(404);
        as(tenant.token()).get("/taxonomy/topic-reviews/" + topicId).then().statusCode(200).body("response", hasSize(0));

        as(tenant.token()).body(EXAMPLE_BODY).put("/taxonomy/topic-requests/" + id).then().statusCode(200);
        as(reviewer).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/" + topicId).then().statusCode(201);
        as(tenant.token()).get("/taxonomy/topics/" + topicId).then().statusCode(200)
                .body("response.name", equalTo("Platform Engineering Hiring"));
    }

    @Test
    void everyChangeAndDecisionIsAuditedWithItsActor() {
        String requestId = "topic-audit-" + UUID.randomUUID();
        String id = as(tenant.token()).header("X-Request-Id", requestId).body(Map.of("name", "Audited topic"))
                .post("/taxonomy/topic-requests").then().statusCode(201).extract().path("response.topic_request_id");
        String topicId = as(tenant.token()).get("/taxonomy/topic-requests/" + id).then().extract().path("response.topic_id");
        as(tenant.token()).body(EXAMPLE_BODY).put("/taxonomy/topic-requests/" + id).then().statusCode(200);
        as(reviewer).body(Map.of("status", "waiting_for_approval", "note", "Looking")).post("/taxonomy/topic-reviews/" + topicId)
                .then().statusCode(201);
        as(reviewer).body(Map.of("status", "accepted")).post("/taxonomy/topic-reviews/" + topicId).then().statusCode(201);
        // A refused review (decided already) records nothing.
        as(reviewer).body(Map.of("status", "rejected")).post("/taxonomy/topic-reviews/" + topicId).then().statusCode(409);

        List<Map<String, Object>> events = as(tenant.token()).queryParam("target_id", id).get("/api/v1/audit-events").then()
                .statusCode(200).extract().jsonPath().getList("events");
        assertThat(events.stream().map(e -> e.get("action")).toList(), equalTo(List.of("topic_request.created",
                "topic_request.updated", "topic_request.noted", "topic_request.accepted")));
        String requester = tenant.organization().id().toString();
        for (Map<String, Object> e : events) {
            assertThat(e.get("organization_id"), equalTo(requester));
            assertThat(e.get("target_type"), equalTo("topic_request"));
            assertThat(e.get("actor_type"), equalTo("user"));
            assertThat(e.get("actor_id"), notNullValue());
            assertThat(e.get("credential_id"), notNullValue());
        }
        assertThat(events.get(0).get("request_id"), equalTo(requestId));
        // The requester's user made the first two; the reviewer's user the decisions.
        assertThat(events.get(1).get("actor_id"), equalTo(events.get(0).get("actor_id")));
        assertThat(events.get(3).get("actor_id"), not(equalTo(events.get(0).get("actor_id"))));
        assertThat(events.get(3).get("actor_id"), equalTo(events.get(2).get("actor_id")));
    }
}
