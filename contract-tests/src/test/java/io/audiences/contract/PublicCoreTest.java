package io.audiences.contract;

import java.util.Map;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Delivr's Public Core surface (issue 13 item 6): the same operations under {@code /public/core}, where a protected
 * operation needs the app credentials beside the JWT (missing, unknown id, wrong secret, another tenant's app, a revoked
 * app: each its exact 401), the documented exceptions, the open {@code /}, and the paths without the prefix, where app
 * credentials stay optional but are refused when wrong.
 */
class PublicCoreTest extends ServerTestBase {

    private Tenant tenant;
    private Tenant other;
    private String clientId;
    private String clientSecret;
    private String otherClientId;
    private String otherClientSecret;

    @BeforeAll
    void createTenants() {
        tenant = tenant("Public core");
        other = tenant("Other core");
        var app = as(tenant.token()).body(Map.of("name", "Core app")).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        clientId = app.getString("response.client_id");
        clientSecret = app.getString("response.client_secret");
        var foreign = as(other.token()).body(Map.of("name", "Foreign app")).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        otherClientId = foreign.getString("response.client_id");
        otherClientSecret = foreign.getString("response.client_secret");
    }

    private RequestSpecification core(String id, String secret) {
        RequestSpecification spec = as(tenant.token());
        if (id != null) {
            spec.header("X-Delivr-Client-ID", id);
        }
        if (secret != null) {
            spec.header("X-Delivr-Client-Secret", secret);
        }
        return spec;
    }

    @Test
    void protectedOperationsNeedTheAppCredentialsBesideTheJwt() {
        String path = "/public/core/api/v1/projects";
        core(null, null).get(path).then().statusCode(401).body("code", equalTo("app_credentials_required"));
        core(clientId, null).get(path).then().statusCode(401).body("code", equalTo("app_credentials_required"));
        core(null, clientSecret).get(path).then().statusCode(401).body("code", equalTo("app_credentials_required"));
        core("client_0000000000000000", clientSecret).get(path).then().statusCode(401)
                .body("code", equalTo("invalid_app_credentials"));
        core(clientId, "secret_" + "0".repeat(48)).get(path).then().statusCode(401)
                .body("code", equalTo("invalid_app_credentials"));
        // Another tenant's valid pair does not pass beside this tenant's token.
        core(otherClientId, otherClientSecret).get(path).then().statusCode(401)
                .body("code", equalTo("invalid_app_credentials"));
        // App credentials alone are not a JWT.
        json().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", clientSecret).get(path).then()
                .statusCode(401).body("code", equalTo("unauthorized"));
        // Right: the same answer as the path without the prefix.
        String listed = core(clientId, clientSecret).get(path).then().statusCode(200).extract().asString();
        as(tenant.token()).get("/api/v1/projects").then().statusCode(200).body(equalTo(listed));
        // An app token with its own credentials, too.
        String appToken = json().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", clientSecret)
                .post("/public/core/auth/issue").then().statusCode(200).extract().path("response.token");
        as(appToken).header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", clientSecret)
                .get("/public/core/api/app/get").then().statusCode(200).body("response.total", notNullValue());
    }

    @Test
    void writesUnderThePrefixAreTheSameOperations() {
        String projectId = core(clientId, clientSecret).body(Map.of("name", "Core project")).post("/public/core/api/v1/projects")
                .then().statusCode(201).extract().path("project_id");
        as(tenant.token()).get("/api/v1/projects/" + projectId).then().statusCode(200).body("name", equalTo("Core project"));
        core(null, null).body(Map.of("name", "Refused")).post("/public/core/api/v1/projects").then().statusCode(401)
                .body("code", equalTo("app_credentials_required"));
    }

    @Test
    void theDocumentedExceptionsNeedNoAppCredentials() {
        given().get("/").then().statusCode(200).body("name", equalTo("Audiences API")).body("openapi_url", equalTo("/openapi"));
        given().get("/public/core").then().statusCode(200).body("docs_url", equalTo("/docs"));
        given().get("/public/core/health").then().statusCode(200).body("status", equalTo("UP"));
        // Delivr's examples: create with a Bearer JWT and {"name": ...}; retrieve with the JWT only.
        String appId = as(tenant.token()).body("{\"name\": \"Partner portal\"}").post("/public/core/api/app/create").then()
                .statusCode(201).body("response.app_id", notNullValue()).extract().path("response.app_id");
        as(tenant.token()).get("/public/core/api/app/retrieve/" + appId).then().statusCode(200)
                .body("response.app.app_id", equalTo(appId))
                .body("response.app.secret.client_id", matchesPattern("client_[0-9a-f]{16}"))
                .body("response.app.secret", not(hasKey("client_secret")));
        // Not an exception: listing the apps.
        as(tenant.token()).get("/public/core/api/app/get").then().statusCode(401).body("code", equalTo("app_credentials_required"));
        // Only the declared operations exist under the prefix.
        core(clientId, clientSecret).get("/public/core/client/v1").then().statusCode(404);
        given().get("/public/core/openapi").then().statusCode(404);
    }

    /**
     * The refusals the operations document, produced under the prefix with the right app credentials: what answers is
     * the operation itself (its 404, 409 and 403), after the app credentials passed.
     */
    @Test
    void theOperationsOwnRefusalsComeThroughUnchanged() {
        String missing = java.util.UUID.randomUUID().toString();
        String base = "/public/core/api";
        core(clientId, clientSecret).get(base + "/app/retrieve/" + missing).then().statusCode(404).body("code", equalTo("not_found"));
        core(clientId, clientSecret).delete(base + "/app/delete/" + missing).then().statusCode(404).body("code", equalTo("not_found"));
        core(clientId, clientSecret).post(base + "/app/rotate/" + missing).then().statusCode(404).body("code", equalTo("not_found"));
        core(clientId, clientSecret).get(base + "/v1/organizations/" + missing).then().statusCode(404);
        core(clientId, clientSecret).body(Map.of("name", "x")).patch(base + "/v1/organizations/" + missing).then().statusCode(404);
        core(clientId, clientSecret).body(Map.of("name", "Orphan", "parent_organization_id", missing))
                .post(base + "/v1/organizations").then().statusCode(404);
        core(clientId, clientSecret).get(base + "/v1/projects/" + missing).then().statusCode(404);
        core(clientId, clientSecret).body(Map.of("name", "x")).patch(base + "/v1/projects/" + missing).then().statusCode(404);
        core(clientId, clientSecret).body(Map.of("name", "Orphan", "organization_id", missing)).post(base + "/v1/projects").then()
                .statusCode(404);
        core(clientId, clientSecret).body(Map.of("email", "orphan-" + System.nanoTime() + "@example.com", "first_name", "O",
                "last_name", "Rphan", "organization_id", missing)).post(base + "/v1/users").then().statusCode(404);
        core(clientId, clientSecret).body(Map.of("status", "disabled")).patch(base + "/v1/users/" + missing).then().statusCode(404);
        core(clientId, clientSecret).delete(base + "/v1/users/" + missing).then().statusCode(404);

        // Conflicts: the caller's own organization and own user.
        String self = app.database().client().execute().get("SELECT id FROM app_user WHERE email = ?", tenant.email())
                .map(r -> r.column("id").get(java.util.UUID.class)).orElseThrow().toString();
        core(clientId, clientSecret).body(Map.of("status", "inactive"))
                .patch(base + "/v1/organizations/" + tenant.organization().id()).then().statusCode(409);
        core(clientId, clientSecret).body(Map.of("status", "disabled")).patch(base + "/v1/users/" + self).then()
                .statusCode(409).body("code", equalTo("own_user"));
        core(clientId, clientSecret).delete(base + "/v1/users/" + self).then().statusCode(409).body("code", equalTo("own_user"));

        // Only a user changes a password: an app token (with its own credentials) gets 403.
        String appToken = json().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", clientSecret)
                .post("/public/core/auth/issue").then().statusCode(200).extract().path("response.token");
        as(appToken).header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", clientSecret)
                .body(Map.of("current_password", "whatever", "new_password", "a-new-long-password"))
                .post(base + "/v1/users/me/password").then().statusCode(403).body("code", equalTo("user_required"));

        // The client-credentials exchange is throttled like at /auth/issue: an account failing again and again gets 429.
        String unknown = "client_" + "f".repeat(16);
        int status = 0;
        for (int i = 0; i < 8 && status != 429; i++) {
            status = json().header("X-Delivr-Client-ID", unknown).header("X-Delivr-Client-Secret", "secret_" + "0".repeat(48))
                    .post("/public/core/auth/issue").then().extract().statusCode();
        }
        org.hamcrest.MatcherAssert.assertThat(status, equalTo(429));
    }

    @Test
    void todaysPathsRefuseWrongAppCredentialsInsteadOfIgnoringThem() {
        as(tenant.token()).get("/api/v1/projects").then().statusCode(200);
        core(clientId, clientSecret).get("/api/v1/projects").then().statusCode(200);
        core(clientId, "secret_" + "0".repeat(48)).get("/api/v1/projects").then().statusCode(401)
                .body("code", equalTo("invalid_app_credentials"));
        core(otherClientId, otherClientSecret).get("/api/v1/projects").then().statusCode(401)
                .body("code", equalTo("invalid_app_credentials"));
        core(clientId, null).get("/api/v1/projects").then().statusCode(401).body("code", equalTo("app_credentials_required"));
    }

    @Test
    void aRevokedAppsCredentialsAreRefused() {
        var created = as(tenant.token()).body(Map.of("name", "Revoked core app")).post("/api/app/create").then()
                .statusCode(201).extract().jsonPath();
        String id = created.getString("response.client_id");
        String secret = created.getString("response.client_secret");
        core(id, secret).get("/public/core/api/v1/organizations").then().statusCode(200);
        as(tenant.token()).delete("/api/app/delete/" + created.getString("response.app_id")).then().statusCode(204);
        core(id, secret).get("/public/core/api/v1/organizations").then().statusCode(401)
                .body("code", equalTo("invalid_app_credentials"));
    }
}
