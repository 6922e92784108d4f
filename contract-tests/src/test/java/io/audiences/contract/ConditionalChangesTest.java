package io.audiences.contract;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * {@code If-Match} beyond audiences (issue 13): organizations, projects, apps (also under {@code /public/core}) and
 * webhook endpoints carry an {@code ETag} on their read and their edit, users and API clients (which have no read) on
 * their create and edit, and an edit or delete sent with a stale tag
 * answers 412 {@code precondition_failed} and changes nothing (checked in the database); the current tag, or {@code *},
 * lets it through; without {@code If-Match} it behaves as before.
 */
class ConditionalChangesTest extends ServerTestBase {

    private static final String ETAG = "W/\"[0-9a-f-]{36}-\\d+\"";

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Conditional");
    }

    private String column(String sql, Object id) {
        return app.database().client().execute().get(sql, id).map(r -> String.valueOf(r.column("v").get())).orElseThrow();
    }

    private static void assertStale(Response r) {
        r.then().statusCode(412).contentType(startsWith("application/problem+json"))
                .body("code", equalTo("precondition_failed")).body("status", equalTo(412));
    }

    /** The PATCH cycle of a name-and-status resource at {@code path} (stored in {@code table}). */
    private void patchCycle(Supplier<RequestSpecification> spec, String path, String table, UUID id) {
        String first = spec.get().get(path).then().statusCode(200).header("ETag", matchesPattern(ETAG)).extract().header("ETag");
        String named = "Renamed " + UUID.randomUUID();
        String second = spec.get().header("If-Match", first).body(Map.of("name", named)).patch(path).then().statusCode(200)
                .body("name", equalTo(named)).header("ETag", matchesPattern(ETAG)).extract().header("ETag");
        assertThat(second, not(equalTo(first)));
        spec.get().get(path).then().statusCode(200).header("ETag", equalTo(second));

        // The first tag is stale now: nothing changes.
        assertStale(spec.get().header("If-Match", first).body(Map.of("name", "Lost update")).patch(path));
        assertThat(column("SELECT name AS v FROM " + table + " WHERE id = ?", id), equalTo(named));
        // Strong form of the current tag, a list naming it, and * all match (weak comparison).
        String strong = second.substring(2);
        String third = spec.get().header("If-Match", "\"nope\", " + strong).body(Map.of("name", named + " 2")).patch(path).then()
                .statusCode(200).extract().header("ETag");
        String fourth = spec.get().header("If-Match", "*").body(Map.of("name", named + " 3")).patch(path).then().statusCode(200)
                .extract().header("ETag");
        assertThat(fourth, not(equalTo(third)));
        // Without If-Match: unconditional, as before.
        spec.get().body(Map.of("name", named + " 4")).patch(path).then().statusCode(200).body("name", equalTo(named + " 4"));
        assertStale(spec.get().header("If-Match", fourth).body(Map.of("name", "Late")).patch(path));
        assertThat(column("SELECT name AS v FROM " + table + " WHERE id = ?", id), equalTo(named + " 4"));
        // A blank If-Match is bad input, not a silent match.
        spec.get().header("If-Match", " ").body(Map.of("name", "Blank")).patch(path).then().statusCode(400)
                .body("code", equalTo("invalid_parameter"));
    }

    @Test
    void organizations() {
        String child = childOrganization(tenant.token(), "Conditional child", null);
        patchCycle(() -> as(tenant.token()), "/api/v1/organizations/" + child, "organization", UUID.fromString(child));
        // A status change counts as a version too.
        String tag = as(tenant.token()).get("/api/v1/organizations/" + child).then().extract().header("ETag");
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then().statusCode(200);
        assertStale(as(tenant.token()).header("If-Match", tag).body(Map.of("status", "active"))
                .patch("/api/v1/organizations/" + child));
        assertThat(column("SELECT status AS v FROM organization WHERE id = ?", UUID.fromString(child)), equalTo("inactive"));
    }

    @Test
    void projects() {
        String id = as(tenant.token()).body(Map.of("name", "Conditional project")).post("/api/v1/projects").then()
                .statusCode(201).extract().path("project_id");
        patchCycle(() -> as(tenant.token()), "/api/v1/projects/" + id, "project", UUID.fromString(id));
    }

    /** The same operations under /public/core, with the app credentials beside the JWT. */
    @Test
    void publicCoreOperationsHonourItAlike() {
        Supplier<RequestSpecification> core = coreSpec();
        String project = as(tenant.token()).body(Map.of("name", "Core conditional project")).post("/api/v1/projects").then()
                .statusCode(201).extract().path("project_id");
        patchCycle(core, "/public/core/api/v1/projects/" + project, "project", UUID.fromString(project));
        String child = childOrganization(tenant.token(), "Core conditional child", null);
        patchCycle(core, "/public/core/api/v1/organizations/" + child, "organization", UUID.fromString(child));

        String doomed = as(tenant.token()).body(Map.of("name", "Core doomed app")).post("/api/app/create").then()
                .statusCode(201).extract().path("response.app_id");
        String tag = core.get().get("/public/core/api/app/retrieve/" + doomed).then().statusCode(200)
                .header("ETag", matchesPattern(ETAG)).extract().header("ETag");
        as(tenant.token()).post("/api/app/rotate/" + doomed).then().statusCode(200);
        assertStale(core.get().header("If-Match", tag).delete("/public/core/api/app/delete/" + doomed));
        assertThat(column("SELECT status AS v FROM app WHERE id = ?", UUID.fromString(doomed)), equalTo("active"));
        String current = core.get().get("/public/core/api/app/retrieve/" + doomed).then().extract().header("ETag");
        core.get().header("If-Match", current).delete("/public/core/api/app/delete/" + doomed).then().statusCode(204);
    }

    @Test
    void apps() {
        String id = as(tenant.token()).body(Map.of("name", "Conditional app")).post("/api/app/create").then()
                .statusCode(201).extract().path("response.app_id");
        String path = "/api/app/retrieve/" + id;
        String first = as(tenant.token()).get(path).then().statusCode(200).header("ETag", matchesPattern(ETAG))
                .extract().header("ETag");
        // A rotation is a new version.
        as(tenant.token()).post("/api/app/rotate/" + id).then().statusCode(200);
        String second = as(tenant.token()).get(path).then().statusCode(200).extract().header("ETag");
        assertThat(second, not(equalTo(first)));

        assertStale(as(tenant.token()).header("If-Match", first).delete("/api/app/delete/" + id));
        assertThat(column("SELECT status AS v FROM app WHERE id = ?", UUID.fromString(id)), equalTo("active"));
        as(tenant.token()).header("If-Match", second).delete("/api/app/delete/" + id).then().statusCode(204);
        assertThat(column("SELECT status AS v FROM app WHERE id = ?", UUID.fromString(id)), not(equalTo("active")));

        // Without If-Match: as before.
        String other = as(tenant.token()).body(Map.of("name", "Unconditional app")).post("/api/app/create").then()
                .statusCode(201).extract().path("response.app_id");
        as(tenant.token()).delete("/api/app/delete/" + other).then().statusCode(204);
    }

    @Test
    void webhooks() {
        String id = as(tenant.token()).body(Map.of("url", "https://hooks.example.com/" + UUID.randomUUID(),
                "events", List.of("audience.deleted"))).post("/api/v1/webhooks").then().statusCode(201).extract().path("webhook_id");
        String path = "/api/v1/webhooks/" + id;
        String tag = as(tenant.token()).get(path).then().statusCode(200).header("ETag", equalTo("W/\"" + id + "-0\""))
                .extract().header("ETag");
        // An endpoint never changes, so only a tag of something else is stale.
        assertStale(as(tenant.token()).header("If-Match", "W/\"" + id + "-1\"").delete(path));
        assertThat(column("SELECT COUNT(*) AS v FROM webhook_endpoint WHERE id = ? AND deleted_at IS NULL", UUID.fromString(id)),
                equalTo("1"));
        as(tenant.token()).header("If-Match", tag).delete(path).then().statusCode(204);
        as(tenant.token()).get(path).then().statusCode(404);

        String other = as(tenant.token()).body(Map.of("url", "https://hooks.example.com/" + UUID.randomUUID(),
                "events", List.of("audience.deleted"))).post("/api/v1/webhooks").then().statusCode(201).extract().path("webhook_id");
        as(tenant.token()).delete("/api/v1/webhooks/" + other).then().statusCode(204);
    }

    /** Users have no read of their own: the create and the edit carry the ETag (here and under /public/core). */
    @Test
    void users() {
        Supplier<RequestSpecification> core = coreSpec();
        for (String prefix : List.of("", "/public/core")) {
            Supplier<RequestSpecification> spec = prefix.isEmpty() ? () -> as(tenant.token()) : core;
            String email = "conditional-" + UUID.randomUUID() + "@example.com";
            var created = spec.get().body(Map.of("email", email, "first_name", "Ana", "last_name", "Ruiz"))
                    .post(prefix + "/api/v1/users").then().statusCode(201).header("ETag", matchesPattern(ETAG)).extract();
            String id = created.path("user_id");
            String first = created.header("ETag");
            String path = prefix + "/api/v1/users/" + id;
            String second = spec.get().header("If-Match", first).body(Map.of("status", "disabled")).patch(path).then()
                    .statusCode(200).body("status", equalTo("disabled")).extract().header("ETag");
            assertThat(second, matchesPattern(ETAG));
            assertThat(second, not(equalTo(first)));
            assertStale(spec.get().header("If-Match", first).body(Map.of("status", "active")).patch(path));
            assertThat(column("SELECT status AS v FROM app_user WHERE id = ?", UUID.fromString(id)), equalTo("disabled"));
            assertStale(spec.get().header("If-Match", first).delete(path));
            assertThat(column("SELECT status AS v FROM app_user WHERE id = ?", UUID.fromString(id)), equalTo("disabled"));
            // Without If-Match as before; then the tag from before it is stale.
            String third = spec.get().body(Map.of("status", "active")).patch(path).then().statusCode(200).extract().header("ETag");
            assertStale(spec.get().header("If-Match", second).delete(path));
            spec.get().header("If-Match", third).delete(path).then().statusCode(204);
            assertThat(column("SELECT status AS v FROM app_user WHERE id = ?", UUID.fromString(id)), equalTo("deleted"));
        }
    }

    @Test
    void apiClients() {
        var created = as(tenant.token()).body(Map.of("name", "Conditional client")).post("/client/v1").then().statusCode(201)
                .header("ETag", matchesPattern(ETAG)).extract();
        String id = created.path("client_id");
        String first = created.header("ETag");
        String path = "/client/v1/" + id;
        String second = as(tenant.token()).header("If-Match", first).body(Map.of("secret_enforced", false)).patch(path).then()
                .statusCode(200).body("secret_enforced", equalTo(false)).extract().header("ETag");
        assertThat(second, matchesPattern(ETAG));
        assertThat(second, not(equalTo(first)));
        assertStale(as(tenant.token()).header("If-Match", first).body(Map.of("secret_enforced", true)).patch(path));
        assertThat(column("SELECT secret_enforced AS v FROM api_client WHERE id = ?", UUID.fromString(id)), equalTo("false"));
        assertStale(as(tenant.token()).header("If-Match", first).delete(path));
        assertThat(column("SELECT COUNT(*) AS v FROM api_client WHERE id = ? AND deleted_at IS NULL", UUID.fromString(id)),
                equalTo("1"));
        as(tenant.token()).header("If-Match", second).delete(path).then().statusCode(204);
        assertThat(column("SELECT COUNT(*) AS v FROM api_client WHERE id = ? AND deleted_at IS NULL", UUID.fromString(id)),
                equalTo("0"));
        // Without If-Match: as before.
        String other = as(tenant.token()).body(Map.of("name", "Unconditional client")).post("/client/v1").then().statusCode(201)
                .extract().path("client_id");
        as(tenant.token()).body(Map.of("secret_enforced", false)).patch("/client/v1/" + other).then().statusCode(200);
        as(tenant.token()).delete("/client/v1/" + other).then().statusCode(204);
    }

    /** The tenant's token with the credentials of a fresh app of the tenant, as /public/core wants them. */
    private Supplier<RequestSpecification> coreSpec() {
        var created = as(tenant.token()).body(Map.of("name", "Core app " + UUID.randomUUID())).post("/api/app/create").then()
                .statusCode(201).extract().jsonPath();
        String clientId = created.getString("response.client_id");
        String secret = created.getString("response.client_secret");
        return () -> as(tenant.token()).header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", secret);
    }
}
