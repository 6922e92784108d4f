package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.audiences.server.builds.BuildStore;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

/**
 * The conflicts that depend on where a build is. No build workers run in this server: the test claims the
 * build itself, through the same store a worker uses, so "a worker is writing this audience" is a state the
 * test holds for as long as it needs instead of a race it hopes to win.
 */
@Isolated
class AudienceConflictsTest extends AudienceTestBase {

    private Tenant tenant;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.builds.workers", "0");
        overrides.put("audiences.db.lock-timeout", "PT1S");
        return overrides;
    }

    @BeforeAll
    void createTenant() {
        tenant = tenant("Conflicts");
    }

    private RequestSpecification scoped() {
        return as(tenant.token()).header("X-Project-Id", tenant.project().id().toString());
    }

    private static Map<String, Object> persona(String name) {
        return Map.of("name", name, "type", "elixir", "filter", and(rule("company_employee_count", "gte", 51)));
    }

    @Test
    void anAudienceBeingWrittenRefusesRebuildsAndHasNothingToDownloadYet() {
        long id = create(tenant, persona("Held build"));
        scoped().get("/api/v1/audiences/" + id + "/download").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("audience_not_ready"));

        BuildStore store = new BuildStore(app.database(), app.outbox());
        Instant now = Instant.now();
        BuildStore.Claim claim = store.claim("test-worker", now, now.plus(Duration.ofHours(1)), 3).orElseThrow();
        assertThat(claim.audienceId(), is(id));
        assertThat(store.markSyncing(claim, now), is(true));
        assertThat(get(tenant, id).getString("status"), is("Syncing"));

        scoped().body(Map.of("intent_window_days", 14)).patch("/api/v1/audiences/" + id).then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("audience_syncing"));
        scoped().post("/api/v1/audiences/" + id + "/refresh").then().statusCode(409)
                .body("code", equalTo("audience_syncing"));
        // A change that needs no rebuild is not blocked by one.
        scoped().body(Map.of("name", "Renamed while syncing")).patch("/api/v1/audiences/" + id).then().statusCode(200)
                .body("name", equalTo("Renamed while syncing")).body("status", equalTo("Syncing"));
        scoped().get("/api/v1/audiences/" + id + "/download").then().statusCode(409)
                .body("code", equalTo("audience_not_ready"));
        assertThat(get(tenant, id).getInt("intent_window_days"), is(1));
    }

    /**
     * A change that waits on a lock longer than {@code audiences.db.lock-timeout} (1 s here) answers 503 database_busy
     * with Retry-After and changes nothing, never 500, on both databases.
     */
    @Test
    void aChangeThatTimesOutOnALockIs503DatabaseBusy() throws Exception {
        long id = create(tenant, persona("Locked"));
        try (java.sql.Connection c = database.connect()) {
            c.setAutoCommit(false);
            try (java.sql.PreparedStatement lock = c.prepareStatement("SELECT id FROM audience WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            scoped().body(Map.of("name", "Renamed under a lock")).patch("/api/v1/audiences/" + id).then()
                    .statusCode(503).contentType("application/problem+json").header("Retry-After", "1")
                    .body("code", equalTo("database_busy"));
            c.rollback();
        }
        assertThat(get(tenant, id).getString("name"), is("Locked"));
        scoped().body(Map.of("name", "Renamed")).patch("/api/v1/audiences/" + id).then().statusCode(200)
                .body("name", equalTo("Renamed"));
    }

    @Test
    void nothingIsCreatedInAnUnknownOrInactiveProject() {
        as(tenant.token()).header("X-Project-Id", UUID.randomUUID().toString()).body(persona("Nowhere"))
                .post("/api/v1/audiences").then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("not_found"));

        String project = as(tenant.token()).body(Map.of("name", "Soon inactive")).post("/api/v1/projects").then()
                .statusCode(201).extract().path("project_id");
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/projects/" + project).then().statusCode(200);
        as(tenant.token()).header("X-Project-Id", project).body(persona("Inactive project"))
                .post("/api/v1/audiences").then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("project_inactive"));

        String child = childOrganization(tenant.token(), "Soon inactive org", tenant.organization().id().toString());
        String childProject = as(tenant.token()).body(Map.of("name", "P", "organization_id", child))
                .post("/api/v1/projects").then().statusCode(201).extract().path("project_id");
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then()
                .statusCode(200);
        as(tenant.token()).header("X-Project-Id", childProject).body(persona("Inactive organization"))
                .post("/api/v1/audiences").then().statusCode(409).body("code", equalTo("org_inactive"));

        as(tenant.token()).header("X-Project-Id", project).get("/api/v1/audiences").then().statusCode(200)
                .body("audiences.size()", equalTo(0));
    }
}
