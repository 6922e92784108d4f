package io.audiences.contract;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

/** The Apps operations: create (secret once), list and retrieve (client_id only), and their errors. */
class AppsTest extends ServerTestBase {

    private static final String LEGACY = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}";

    private Tenant tenant;
    private Tenant other;

    @BeforeAll
    void createTenants() {
        tenant = tenant("Apps");
        other = tenant("Other apps");
    }

    @Test
    void createListAndRetrieve() {
        var created = as(tenant.token()).body(Map.of("name", "Partner portal")).post("/api/app/create").then()
                .statusCode(201)
                .contentType("application/json")
                .body("response.name", equalTo("Partner portal"))
                .body("response.status", equalTo("active"))
                .body("response.client_id", matchesPattern("client_[0-9a-f]{16}"))
                .body("response.client_secret", matchesPattern("secret_[0-9a-f]{48}"))
                .body("response.created_at", matchesPattern(LEGACY))
                .extract().jsonPath();
        String appId = created.getString("response.app_id");
        String clientId = created.getString("response.client_id");

        var one = as(tenant.token()).get("/api/app/retrieve/" + appId).then().statusCode(200)
                .body("response.app.app_id", equalTo(appId))
                .body("response.app.name", equalTo("Partner portal"))
                .body("response.app.status", equalTo("active"))
                .body("response.app.secret.client_id", equalTo(clientId))
                .body("response.app.created_at", equalTo(created.getString("response.created_at")))
                .body("response.app.updated_at", matchesPattern(LEGACY))
                .body("response.app.created_by_user.email", equalTo(tenant.email()))
                .body("response.app.created_by_user.first_name", equalTo("Test"))
                .body("response.app.created_by_user.last_name", equalTo("User"))
                .extract().jsonPath();
        assertThat(one.getString("response.app.created_by_user.user_id"), matchesPattern("[0-9a-f-]{36}"));

        as(tenant.token()).body(Map.of("name", "Second")).post("/api/app/create").then().statusCode(201);
        as(tenant.token()).get("/api/app/get").then().statusCode(200)
                .body("response.total", equalTo(2))
                .body("response.apps.name", equalTo(List.of("Partner portal", "Second")))
                .body("response.apps[0].secret.client_id", equalTo(clientId));
    }

    @Test
    void otherOrganizationsCannotSeeTheApp() {
        String appId = as(tenant.token()).body(Map.of("name", "Private")).post("/api/app/create").then()
                .statusCode(201).extract().path("response.app_id");
        as(other.token()).get("/api/app/retrieve/" + appId).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("not_found"));
        as(other.token()).get("/api/app/get").then().statusCode(200).body("response.total", equalTo(0))
                .body("response.apps", equalTo(List.of()));
        as(tenant.token()).get("/api/app/retrieve/" + UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("not_found"));
        as(tenant.token()).get("/api/app/retrieve/" + appId).then().statusCode(200)
                .body("response.app.secret.client_secret", nullValue());
    }

    @Test
    void badIdIs400AndAnonymousIs401() {
        as(tenant.token()).get("/api/app/retrieve/123").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("app_id"));
        given().get("/api/app/get").then().statusCode(401);
        json().body(Map.of("name", "anon")).post("/api/app/create").then().statusCode(401);
        given().get("/api/app/retrieve/" + UUID.randomUUID()).then().statusCode(401);
    }
}
