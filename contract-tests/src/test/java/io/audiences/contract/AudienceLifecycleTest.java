package io.audiences.contract;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** Refresh, pause, resume, edit, delete, idempotency and conditional reads, with their exact 409 bodies. */
class AudienceLifecycleTest extends AudienceTestBase {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private UpstreamFixture data;
    private Tenant tenant;

    @BeforeAll
    void loadData() throws Exception {
        data = new UpstreamFixture(7, 120, TODAY, 10);
        // Today's partition is late: not landed yet.
        data.write(app.database(), 1);
        tenant = tenant("Lifecycle");
    }

    private Map<String, Object> intentBody(String name) {
        return Map.of("name", name, "type", "intents", "intent_window_days", 3,
                "filter", and(rule("INTENT", "in", List.of(data.topicIds.get(0)))));
    }

    private io.restassured.specification.RequestSpecification scoped() {
        return as(tenant.token()).header("X-Project-Id", tenant.project().id().toString());
    }

    @Test
    void lateDayIsExcludedUntilItLandsThenTheNextBuildIncludesIt() throws Exception {
        long id = create(tenant, intentBody("Late data"));
        JsonPath first = await(tenant, id, "Completed");
        assertThat(first.getString("data_through"), is(TODAY.minusDays(1).toString()));
        data.land(app.database(), TODAY);
        scoped().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(200)
                .body("status", equalTo("Pending")).body("task_id", nullValue());
        JsonPath second = await(tenant, id, "Completed");
        assertThat(second.getString("data_through"), is(TODAY.toString()));
    }

    @Test
    void pauseResumeRefreshTransitionsAndConflicts() {
        long id = create(tenant, intentBody("Lifecycle"));
        JsonPath done = await(tenant, id, "Completed");
        String renew = done.getString("renew_time");
        assertThat(renew, notNullValue());

        scoped().post("/api/v1/audiences/" + id + "/pause").then().statusCode(200)
                .body("pause_reason", equalTo("manual"))
                .body("paused_at", notNullValue())
                .body("previous_renew_time", equalTo(renew))
                .body("renew_time", nullValue())
                .body("status", equalTo("Completed"));
        scoped().post("/api/v1/audiences/" + id + "/pause").then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("audience_already_paused"));
        scoped().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("audience_paused"))
                .body("pause_reason", equalTo("manual"));
        assertThat(get(tenant, id).getString("status"), is("Completed"));

        scoped().post("/api/v1/audiences/" + id + "/resume").then().statusCode(200)
                .body("pause_reason", nullValue())
                .body("paused_at", nullValue())
                .body("previous_renew_time", nullValue())
                .body("renew_time", equalTo(renew));
        scoped().post("/api/v1/audiences/" + id + "/resume").then().statusCode(409)
                .body("code", equalTo("audience_not_paused"));
        scoped().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(200).body("status", equalTo("Pending"));
        await(tenant, id, "Completed");
    }

    @Test
    void deactivatingProjectOrOrganizationPausesAndBlocksResume() {
        Tenant parent = tenant("Parent");
        String child = as(parent.token()).body(Map.of("name", "Child")).post("/api/v1/organizations").then().statusCode(201)
                .extract().path("organization_id");
        String project = as(parent.token()).body(Map.of("name", "P", "organization_id", child)).post("/api/v1/projects")
                .then().statusCode(201).extract().path("project_id");
        long id = ((Number) as(parent.token()).header("X-Project-Id", project).body(intentBody("Org pause"))
                .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();

        as(parent.token()).body(Map.of("status", "inactive")).patch("/api/v1/projects/" + project).then().statusCode(200);
        as(parent.token()).header("X-Project-Id", project).get("/api/v1/audiences/" + id).then().statusCode(200)
                .body("pause_reason", equalTo("project_inactive"));
        as(parent.token()).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/resume").then().statusCode(409)
                .body("code", equalTo("project_inactive"));
        as(parent.token()).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/refresh").then().statusCode(409)
                .body("code", equalTo("audience_paused")).body("pause_reason", equalTo("project_inactive"));
        as(parent.token()).body(Map.of("status", "active")).patch("/api/v1/projects/" + project).then().statusCode(200);

        as(parent.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then().statusCode(200);
        as(parent.token()).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/resume").then().statusCode(409)
                .body("code", equalTo("org_inactive"));
        as(parent.token()).body(Map.of("status", "active")).patch("/api/v1/organizations/" + child).then().statusCode(200);
        as(parent.token()).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/resume").then().statusCode(200)
                .body("pause_reason", nullValue());
    }

    /**
     * Deactivation pauses an audience that a build moves to a newer version at the same moment: the audience is locked
     * before it is read for the pause, so the pause waits for the build's write and then changes the newest version.
     * Read without the lock, the pause's version check failed and the deactivation answered 412.
     */
    @Test
    void deactivationWaitsForABuildWritingTheAudience() throws Exception {
        Tenant owner = tenant("Racing build");
        String project = owner.project().id().toString();
        long id = create(owner, intentBody("Racing"));
        await(owner, id, "Completed");
        try (Connection build = app.database().connection()) {
            build.setAutoCommit(false);
            try (PreparedStatement lock = build.prepareStatement("SELECT id FROM audience WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            CompletableFuture<Integer> deactivation = CompletableFuture.supplyAsync(() -> as(owner.token())
                    .body(Map.of("status", "inactive")).patch("/api/v1/projects/" + project).statusCode());
            Thread.sleep(1_000); // the deactivation reaches the audience and waits for the lock
            try (PreparedStatement write = build.prepareStatement("UPDATE audience SET version = version + 1 WHERE id = ?")) {
                write.setLong(1, id);
                assertThat(write.executeUpdate(), is(1));
            }
            build.commit();
            assertThat(deactivation.get(30, TimeUnit.SECONDS), is(200));
        }
        as(owner.token()).header("X-Project-Id", project).get("/api/v1/audiences/" + id).then().statusCode(200)
                .body("pause_reason", equalTo("project_inactive")).body("paused_at", notNullValue());
    }

    @Test
    void projectScopingRules() {
        as(tenant.token()).get("/api/v1/audiences").then().statusCode(400).body("code", equalTo("project_required"));
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .queryParam("project_id", UUID.randomUUID().toString())
                .get("/api/v1/audiences").then().statusCode(400).body("code", equalTo("project_mismatch"));
        as(tenant.token()).header("X-Project-Id", UUID.randomUUID().toString()).get("/api/v1/audiences").then()
                .statusCode(404).body("code", equalTo("not_found"));
        long id = create(tenant, intentBody("Scoped"));
        Tenant other = tenant("Other");
        as(other.token()).header("X-Project-Id", tenant.project().id().toString()).get("/api/v1/audiences/" + id).then()
                .statusCode(404);
        as(other.token()).header("X-Project-Id", other.project().id().toString()).get("/api/v1/audiences/" + id).then()
                .statusCode(404).body("code", equalTo("not_found"));
        // The owner's reads leave the audience's rendering cached (by version): it is still answered only to a caller
        // that may see it, and only in its own project, not in another project of the same organization.
        scoped().get("/api/v1/audiences/" + id).then().statusCode(200).body("name", equalTo("Scoped"));
        scoped().get("/api/v1/audiences/" + id).then().statusCode(200).body("name", equalTo("Scoped"));
        String second = as(tenant.token()).body(Map.of("name", "Second")).post("/api/v1/projects").then().statusCode(201)
                .extract().path("project_id");
        as(tenant.token()).header("X-Project-Id", second).get("/api/v1/audiences").then().statusCode(200);
        as(tenant.token()).header("X-Project-Id", second).get("/api/v1/audiences/" + id).then()
                .statusCode(404).body("code", equalTo("not_found"));
        as(other.token()).header("X-Project-Id", tenant.project().id().toString()).get("/api/v1/audiences/" + id).then()
                .statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void idempotentCreateReplaysAndRejectsADifferentBody() {
        String key = "key-" + UUID.randomUUID();
        JsonPath first = scoped().header("Idempotency-Key", key).body(intentBody("Idem")).post("/api/v1/audiences")
                .then().statusCode(201).extract().jsonPath();
        JsonPath replay = scoped().header("Idempotency-Key", key).body(intentBody("Idem")).post("/api/v1/audiences")
                .then().statusCode(201).header("Idempotent-Replayed", "true").extract().jsonPath();
        assertThat(replay.getLong("id"), is(first.getLong("id")));
        scoped().header("Idempotency-Key", key).body(intentBody("Other name")).post("/api/v1/audiences")
                .then().statusCode(422).body("code", equalTo("idempotency_key_reused"));
    }

    @Test
    void etagGivesNotModifiedAndChangesOnWrite() {
        long id = create(tenant, intentBody("ETag"));
        await(tenant, id, "Completed");
        String etag = scoped().get("/api/v1/audiences/" + id).then().statusCode(200).extract().header("ETag");
        scoped().header("If-None-Match", etag).get("/api/v1/audiences/" + id).then().statusCode(304);
        scoped().body(Map.of("name", "Renamed")).patch("/api/v1/audiences/" + id).then().statusCode(200)
                .body("name", equalTo("Renamed")).body("status", equalTo("Completed"));
        // The old version's rendering was cached by the first read; the new one is answered, with its own tag.
        String renamed = scoped().header("If-None-Match", etag).get("/api/v1/audiences/" + id).then().statusCode(200)
                .body("name", equalTo("Renamed")).extract().header("ETag");
        assertThat(renamed, not(etag));
    }

    @Test
    void windowChangeRebuildsAndDeleteRemoves() {
        long id = create(tenant, intentBody("Edit"));
        await(tenant, id, "Completed");
        scoped().body(Map.of("intent_window_days", 7)).patch("/api/v1/audiences/" + id).then().statusCode(200)
                .body("status", equalTo("Pending")).body("intent_window_days", equalTo(7));
        JsonPath rebuilt = await(tenant, id, "Completed");
        assertThat(rebuilt.getMap("bucket_counts").keySet(), equalTo(java.util.Set.of("1d", "3d", "7d")));
        scoped().delete("/api/v1/audiences/" + id).then().statusCode(204);
        scoped().get("/api/v1/audiences/" + id).then().statusCode(404);
        scoped().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(404);
        scoped().delete("/api/v1/audiences/" + id).then().statusCode(404);
    }

    @Test
    void invalidFiltersAnswer400WithPointers() {
        scoped().body(Map.of("name", "Bad", "type", "intents", "filter", and(rule("no_such_field", "in", List.of("x")))))
                .post("/api/v1/audiences").then().statusCode(400).body("code", equalTo("invalid_filter"))
                .body("errors[0].pointer", equalTo("/filter/rules/0/fieldName"));
        scoped().body(Map.of("name", "Bad", "type", "elixir", "filter", and(rule("seniority_level", "gt", 3))))
                .post("/api/v1/audiences").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/filter/rules/0/conditionRules/operator"));
        scoped().body(Map.of("name", "Bad", "type", "elixir", "filter", and(rule("company_employee_count", "between",
                List.of(500, 11))))).post("/api/v1/audiences").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/filter/rules/0/conditionRules/value"));
        scoped().body(Map.of("name", "Bad", "type", "intents", "filter", and(rule("INTENT", "in", List.of("4eyes_999")))))
                .post("/api/v1/audiences").then().statusCode(400).body("code", equalTo("unknown_topic"));
        scoped().body(Map.of("name", "Bad", "type", "intents", "filter", and(rule("seniority_level", "in", List.of("vp")))))
                .post("/api/v1/audiences").then().statusCode(400).body("code", equalTo("intent_rule_required"));
    }

    @Test
    void listFiltersAndPaginates() {
        Tenant t = tenant("Lister");
        for (int i = 0; i < 3; i++) {
            create(t, intentBody("L" + i));
        }
        JsonPath page = as(t.token()).queryParam("project_id", t.project().id().toString()).queryParam("limit", 2)
                .get("/api/v1/audiences").then().statusCode(200).body("audiences", hasSize(2)).extract().jsonPath();
        as(t.token()).queryParam("project_id", t.project().id().toString()).queryParam("cursor", page.getString("next_cursor"))
                .get("/api/v1/audiences").then().statusCode(200).body("audiences", hasSize(1))
                .body("audiences[0].name", equalTo("L2"));
        as(t.token()).queryParam("project_id", t.project().id().toString()).queryParam("type", "elixir")
                .get("/api/v1/audiences").then().statusCode(200).body("audiences", hasSize(0));
        as(t.token()).queryParam("project_id", t.project().id().toString()).queryParam("status", "Bogus")
                .get("/api/v1/audiences").then().statusCode(400);
    }
}
