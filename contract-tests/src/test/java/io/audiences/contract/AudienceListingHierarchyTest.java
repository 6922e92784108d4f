package io.audiences.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/** GET /api/v1/audiences in every shape of hierarchy (the seed fixed a 500 here): deep, no enterprise, siblings. */
class AudienceListingHierarchyTest extends AudienceTestBase {

    private static Map<String, Object> persona(String name) {
        return Map.of("name", name, "type", "elixir", "filter", and(rule("seniority_level", "in", List.of("vp"))));
    }

    private String childOrg(String token, String parent, String name) {
        return as(token).body(Map.of("name", name, "parent_organization_id", parent)).post("/api/v1/organizations")
                .then().statusCode(201).extract().path("organization_id");
    }

    private String project(String token, String org) {
        return as(token).body(Map.of("name", "P " + org, "organization_id", org)).post("/api/v1/projects")
                .then().statusCode(201).extract().path("project_id");
    }

    @Test
    void tenLevelChainListsFromTheTopAndFromTheBottom() {
        Tenant root = tenant("Chain", Optional.of("Enterprise A"));
        String parent = root.organization().id().toString();
        List<String> orgs = new ArrayList<>();
        for (int level = 1; level < 10; level++) {
            parent = childOrg(root.token(), parent, "Level " + level);
            orgs.add(parent);
        }
        String deepest = project(root.token(), orgs.getLast());
        as(root.token()).header("X-Project-Id", deepest).body(persona("Deep")).post("/api/v1/audiences").then().statusCode(201);
        as(root.token()).header("X-Project-Id", deepest).get("/api/v1/audiences").then().statusCode(200)
                .body("audiences", hasSize(1)).body("audiences[0].name", equalTo("Deep"));

        String email = "deep" + System.nanoTime() + "@example.com";
        as(root.token()).body(Map.of("email", email, "first_name", "D", "last_name", "U", "password", "deep-password-1",
                "organization_id", orgs.getLast())).post("/api/v1/users").then().statusCode(201);
        String deepToken = login(email, "deep-password-1");
        as(deepToken).header("X-Project-Id", deepest).get("/api/v1/audiences").then().statusCode(200)
                .body("audiences", hasSize(1));
        // Upwards is outside the subtree.
        String midProject = project(root.token(), orgs.get(3));
        as(deepToken).header("X-Project-Id", midProject).get("/api/v1/audiences").then().statusCode(404);
    }

    @Test
    void organizationWithoutEnterpriseAndSiblings() {
        Tenant solo = tenant("Solo");
        as(solo.token()).header("X-Project-Id", solo.project().id().toString()).body(persona("Solo audience"))
                .post("/api/v1/audiences").then().statusCode(201);
        as(solo.token()).header("X-Project-Id", solo.project().id().toString()).get("/api/v1/audiences").then()
                .statusCode(200).body("audiences", hasSize(1));

        String a = childOrg(solo.token(), solo.organization().id().toString(), "Sibling A");
        String b = childOrg(solo.token(), solo.organization().id().toString(), "Sibling B");
        String pa = project(solo.token(), a);
        String pb = project(solo.token(), b);
        as(solo.token()).header("X-Project-Id", pa).body(persona("A1")).post("/api/v1/audiences").then().statusCode(201);
        String emailA = "siba" + System.nanoTime() + "@example.com";
        as(solo.token()).body(Map.of("email", emailA, "first_name", "S", "last_name", "A", "password", "sibling-password",
                "organization_id", a)).post("/api/v1/users").then().statusCode(201);
        String tokenA = login(emailA, "sibling-password");
        as(tokenA).header("X-Project-Id", pa).get("/api/v1/audiences").then().statusCode(200).body("audiences", hasSize(1));
        as(tokenA).header("X-Project-Id", pb).get("/api/v1/audiences").then().statusCode(404).body("code", equalTo("not_found"));
        as(solo.token()).header("X-Project-Id", pb).get("/api/v1/audiences").then().statusCode(200).body("audiences", hasSize(0));
    }
}
