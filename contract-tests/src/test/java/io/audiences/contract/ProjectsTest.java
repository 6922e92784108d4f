package io.audiences.contract;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** The Projects operations: create (Location, inactive organization 409), list, get, update. */
class ProjectsTest extends ServerTestBase {

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Projects");
    }

    @Test
    void createReturns201WithLocation() {
        var response = as(tenant.token()).body(Map.of("name", "Q3 campaigns")).post("/api/v1/projects").then()
                .statusCode(201)
                .contentType("application/json")
                .body("name", equalTo("Q3 campaigns"))
                .body("organization_id", equalTo(tenant.organization().id().toString()))
                .body("status", equalTo("active"))
                .extract();
        String id = response.path("project_id");
        assertThat(response.header("Location"), is("/api/v1/projects/" + id));
        as(tenant.token()).get(response.header("Location")).then().statusCode(200)
                .body("project_id", equalTo(id))
                .body("name", equalTo("Q3 campaigns"))
                .body("created_at", equalTo(response.<String>path("created_at")));
    }

    @Test
    void createInAnInactiveOrganizationIs409() {
        String child = childOrganization(tenant.token(), "Dormant", null);
        String grandchild = childOrganization(tenant.token(), "Dormant child", child);
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then()
                .statusCode(200);
        for (String org : List.of(child, grandchild)) {
            as(tenant.token()).body(Map.of("name", "Nope", "organization_id", org)).post("/api/v1/projects").then()
                    .statusCode(409)
                    .contentType("application/problem+json")
                    .body("status", equalTo(409))
                    .body("code", equalTo("organization_inactive"));
            // Nothing else is created under it either: no child organization, no user.
            as(tenant.token()).body(Map.of("name", "Nope", "parent_organization_id", org)).post("/api/v1/organizations")
                    .then().statusCode(409).body("code", equalTo("organization_inactive"));
            as(tenant.token()).body(Map.of("email", "nope" + System.nanoTime() + "@example.com", "first_name", "N",
                    "last_name", "O", "organization_id", org)).post("/api/v1/users")
                    .then().statusCode(409).body("code", equalTo("organization_inactive"));
        }
        as(tenant.token()).queryParam("organization_id", child).get("/api/v1/projects").then().statusCode(200)
                .body("projects", equalTo(List.of()));
        as(tenant.token()).body(Map.of("status", "active")).patch("/api/v1/organizations/" + child).then()
                .statusCode(200);
        as(tenant.token()).body(Map.of("name", "Now yes", "organization_id", grandchild)).post("/api/v1/projects").then()
                .statusCode(201).body("organization_id", equalTo(grandchild));
    }

    @Test
    void updateRenamesAndChangesStatus() {
        String id = as(tenant.token()).body(Map.of("name", "Q3")).post("/api/v1/projects").then().statusCode(201)
                .extract().path("project_id");
        String before = as(tenant.token()).get("/api/v1/projects/" + id).then().extract().path("updated_at");
        var renamed = as(tenant.token()).body(Map.of("name", "Q4 campaigns")).patch("/api/v1/projects/" + id).then()
                .statusCode(200)
                .body("project_id", equalTo(id))
                .body("name", equalTo("Q4 campaigns"))
                .body("status", equalTo("active"))
                .extract();
        assertThat(OffsetDateTime.parse(renamed.path("updated_at")).isBefore(OffsetDateTime.parse(before)), is(false));
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/projects/" + id).then().statusCode(200)
                .body("name", equalTo("Q4 campaigns")).body("status", equalTo("inactive"));
        as(tenant.token()).get("/api/v1/projects/" + id).then().statusCode(200)
                .body("name", equalTo("Q4 campaigns")).body("status", equalTo("inactive"));
        as(tenant.token()).body(Map.of("status", "active", "name", "Q4")).patch("/api/v1/projects/" + id).then()
                .statusCode(200).body("name", equalTo("Q4")).body("status", equalTo("active"));
    }

    @Test
    void listIsOldestFirstAndPaginates() {
        Tenant fresh = tenant("Project listing");
        String child = childOrganization(fresh.token(), "Child", null);
        String p2 = as(fresh.token()).body(Map.of("name", "P2", "organization_id", child)).post("/api/v1/projects")
                .then().statusCode(201).extract().path("project_id");
        String p3 = as(fresh.token()).body(Map.of("name", "P3")).post("/api/v1/projects")
                .then().statusCode(201).extract().path("project_id");
        List<String> all = List.of(fresh.project().id().toString(), p2, p3);
        as(fresh.token()).get("/api/v1/projects").then().statusCode(200)
                .body("projects.project_id", equalTo(all)).body("next_cursor", nullValue());
        String cursor = as(fresh.token()).queryParam("limit", 2).get("/api/v1/projects").then().statusCode(200)
                .body("projects.project_id", equalTo(all.subList(0, 2)))
                .body("next_cursor", not(nullValue())).extract().path("next_cursor");
        as(fresh.token()).queryParam("limit", 2).queryParam("cursor", cursor).get("/api/v1/projects").then()
                .statusCode(200).body("projects.project_id", equalTo(List.of(p3))).body("next_cursor", nullValue());
        as(fresh.token()).queryParam("organization_id", child).get("/api/v1/projects").then().statusCode(200)
                .body("projects.project_id", equalTo(List.of(p2)));
    }

    @Test
    void unknownProjectIs404() {
        String unknown = UUID.randomUUID().toString();
        as(tenant.token()).get("/api/v1/projects/" + unknown).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("not_found"));
        as(tenant.token()).body(Map.of("name", "x")).patch("/api/v1/projects/" + unknown).then().statusCode(404)
                .body("code", equalTo("not_found"));
        as(tenant.token()).body(Map.of("name", "x", "organization_id", unknown)).post("/api/v1/projects").then()
                .statusCode(404).body("code", equalTo("not_found"));
    }
}
