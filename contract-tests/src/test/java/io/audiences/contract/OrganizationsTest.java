package io.audiences.contract;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** The Organizations operations: create, list, get, update; Location, 404 and the own-status 409. */
class OrganizationsTest extends ServerTestBase {

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Orgs", Optional.of("Orgs Enterprise"));
    }

    @Test
    void createReturns201WithLocationAndInheritsTheEnterprise() {
        var response = as(tenant.token()).body(Map.of("name", "Acme EMEA")).post("/api/v1/organizations").then()
                .statusCode(201)
                .contentType("application/json")
                .body("name", equalTo("Acme EMEA"))
                .body("parent_organization_id", equalTo(tenant.organization().id().toString()))
                .body("enterprise_id", equalTo(tenant.organization().enterpriseId().toString()))
                .body("status", equalTo("active"))
                .extract();
        String id = response.path("organization_id");
        assertThat(response.header("Location"), is("/api/v1/organizations/" + id));
        assertThat(response.<String>path("created_at"), equalTo(response.<String>path("updated_at")));
        as(tenant.token()).get(response.header("Location")).then().statusCode(200)
                .body("organization_id", equalTo(id))
                .body("name", equalTo("Acme EMEA"))
                .body("created_at", equalTo(response.<String>path("created_at")));
    }

    @Test
    void getOwnOrganization() {
        as(tenant.token()).get("/api/v1/organizations/" + tenant.organization().id()).then().statusCode(200)
                .body("organization_id", equalTo(tenant.organization().id().toString()))
                .body("name", equalTo("Orgs"))
                .body("parent_organization_id", nullValue())
                .body("status", equalTo("active"));
    }

    @Test
    void renameUpdatesNameAndUpdatedAt() {
        String id = childOrganization(tenant.token(), "Old name", null);
        String before = as(tenant.token()).get("/api/v1/organizations/" + id).then().extract().path("updated_at");
        var after = as(tenant.token()).body(Map.of("name", "New name")).patch("/api/v1/organizations/" + id).then()
                .statusCode(200)
                .body("organization_id", equalTo(id))
                .body("name", equalTo("New name"))
                .body("status", equalTo("active"))
                .extract();
        assertThat(OffsetDateTime.parse(after.path("updated_at")).isBefore(OffsetDateTime.parse(before)), is(false));
        as(tenant.token()).get("/api/v1/organizations/" + id).then().statusCode(200).body("name", equalTo("New name"));
    }

    @Test
    void ownOrganizationStatusCannotBeChanged() {
        String own = tenant.organization().id().toString();
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + own).then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("code", equalTo("own_organization_status"));
        as(tenant.token()).get("/api/v1/organizations/" + own).then().statusCode(200).body("status", equalTo("active"));
        // Renaming the own organization, or restating its status, is allowed.
        as(tenant.token()).body(Map.of("name", "Orgs renamed", "status", "active")).patch("/api/v1/organizations/" + own)
                .then().statusCode(200).body("name", equalTo("Orgs renamed")).body("status", equalTo("active"));
        as(tenant.token()).body(Map.of("name", "Orgs")).patch("/api/v1/organizations/" + own).then().statusCode(200);
        // A child's credential cannot deactivate the child either; its parent can.
        String child = childOrganization(tenant.token(), "Child", null);
        String childToken = userToken(tenant.token(), child);
        as(childToken).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then()
                .statusCode(409).body("code", equalTo("own_organization_status"));
        as(childToken).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + own).then()
                .statusCode(404);
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then()
                .statusCode(200).body("status", equalTo("inactive"));
        as(tenant.token()).get("/api/v1/organizations/" + child).then().statusCode(200).body("status", equalTo("inactive"));
    }

    @Test
    void listIsOldestFirstAndPaginates() {
        Tenant fresh = tenant("Listing");
        String a = childOrganization(fresh.token(), "A", null);
        String b = childOrganization(fresh.token(), "B", a);
        String c = childOrganization(fresh.token(), "C", null);
        List<String> all = List.of(fresh.organization().id().toString(), a, b, c);
        as(fresh.token()).get("/api/v1/organizations").then().statusCode(200)
                .body("organizations.organization_id", equalTo(all))
                .body("next_cursor", nullValue());
        String cursor = as(fresh.token()).queryParam("limit", 2).get("/api/v1/organizations").then().statusCode(200)
                .body("organizations.organization_id", equalTo(all.subList(0, 2)))
                .body("next_cursor", not(nullValue()))
                .extract().path("next_cursor");
        as(fresh.token()).queryParam("limit", 2).queryParam("cursor", cursor).get("/api/v1/organizations").then()
                .statusCode(200)
                .body("organizations.organization_id", equalTo(all.subList(2, 4)))
                .body("next_cursor", nullValue());
        // Organizations created after a cursor was handed out appear on a later page, never twice.
        String d = childOrganization(fresh.token(), "D", null);
        as(fresh.token()).queryParam("limit", 1).queryParam("cursor", cursor).get("/api/v1/organizations").then()
                .statusCode(200)
                .body("organizations.organization_id", equalTo(List.of(b)))
                .body("next_cursor", not(nullValue()));
        as(fresh.token()).queryParam("limit", 200).get("/api/v1/organizations").then().statusCode(200)
                .body("organizations.organization_id", equalTo(List.of(all.get(0), a, b, c, d)));
    }

    @Test
    void unknownOrganizationIs404() {
        String unknown = java.util.UUID.randomUUID().toString();
        as(tenant.token()).get("/api/v1/organizations/" + unknown).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("not_found"));
        as(tenant.token()).body(Map.of("name", "x")).patch("/api/v1/organizations/" + unknown).then().statusCode(404);
        as(tenant.token()).body(Map.of("name", "x", "parent_organization_id", unknown)).post("/api/v1/organizations")
                .then().statusCode(404).body("code", equalTo("not_found"));
    }
}
