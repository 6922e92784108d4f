package io.audiences.contract;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.audiences.server.Application;

import io.helidon.config.Config;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * Recently accepted credentials are cached (no database round trip per request), yet every kind of revocation holds
 * on the very next request on every instance. On PostgreSQL two separate {@link Application}s share one database:
 * the credential is used on B until B has it cached, revoked through A, and B refuses it at once; the same holds
 * while B's listening connection is terminated (fail closed). On H2 (one process) both roles are the same instance.
 */
class CredentialCacheTest extends ServerTestBase {

    private static final String LISTENER = "audiences-credentials-revoked";

    private Application peer;
    private Tenant tenant;

    @BeforeAll
    void startPeer() {
        tenant = tenant("Cache");
        if (TestDatabase.postgres()) {
            Config config = serverConfig();
            peer = Application.create(config, clock()).start(config.get("server"));
        }
    }

    @AfterAll
    void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    /** Instance B: where the credential is cached and must be refused. */
    private RequestSpecification onPeer() {
        return validated(peer != null ? peer.port() : app.port()).contentType("application/json");
    }

    private RequestSpecification onPeer(String token) {
        return onPeer().header("Authorization", "Bearer " + token);
    }

    private RequestSpecification onPeer(ApiClient key) {
        return onPeer().header("X-Api-Key", key.apiKey()).header("X-Api-Secret", key.apiSecret())
                .header("X-Project-Id", tenant.project().id().toString());
    }

    /** Used twice on B: the first use loads and caches it, the second is answered from the cache. */
    private void warm(RequestSpecification request, String path) {
        for (int i = 0; i < 2; i++) {
            request.get(path).then().statusCode(200);
        }
    }

    private static void refused(Response response, String code) {
        response.then().statusCode(401).contentType("application/problem+json").body("code", equalTo(code));
    }

    // ------------------------------------------------------------------------------------------------ API keys

    @Test
    void aRevokedKeyIsRefusedOnTheNextRequest() {
        ApiClient key = apiClient(tenant.token(), "cache revoke", true);
        warm(onPeer(key), "/api/v1/projects");
        as(tenant.token()).delete("/client/v1/" + key.clientId() + "/keys/" + key.keyId()).then().statusCode(204);
        refused(onPeer(key).get("/api/v1/projects"), "unauthorized");
    }

    @Test
    void aRotationThatRevokesTheOldKeysIsRefusedOnTheNextRequest() {
        ApiClient key = apiClient(tenant.token(), "cache rotate", true);
        warm(onPeer(key), "/api/v1/projects");
        as(tenant.token()).body(Map.of()).post("/client/v1/" + key.clientId() + "/keys").then().statusCode(201);
        refused(onPeer(key).get("/api/v1/projects"), "unauthorized");
    }

    @Test
    void aDeletedClientsKeyIsRefusedOnTheNextRequest() {
        ApiClient key = apiClient(tenant.token(), "cache delete", true);
        warm(onPeer(key), "/api/v1/projects");
        as(tenant.token()).delete("/client/v1/" + key.clientId()).then().statusCode(204);
        refused(onPeer(key).get("/api/v1/projects"), "unauthorized");
    }

    @Test
    void aCachedKeyWithAnotherSecretIsStillRefused() {
        ApiClient key = apiClient(tenant.token(), "cache secret", true);
        warm(onPeer(key), "/api/v1/projects");
        refused(onPeer().header("X-Api-Key", key.apiKey()).header("X-Api-Secret", "0".repeat(64))
                .header("X-Project-Id", tenant.project().id().toString()).get("/api/v1/projects"), "unauthorized");
        refused(onPeer().header("X-Api-Key", key.apiKey()).header("X-Project-Id", tenant.project().id().toString())
                .get("/api/v1/projects"), "unauthorized");
    }

    @Test
    void aKeyWithoutItsSecretIsRefusedOnTheNextRequestOnceTheSecretIsEnforced() {
        ApiClient key = apiClient(tenant.token(), "cache enforce", false);
        RequestSpecification keyOnly = onPeer().header("X-Api-Key", key.apiKey())
                .header("X-Project-Id", tenant.project().id().toString());
        warm(keyOnly, "/api/v1/projects");
        as(tenant.token()).body(Map.of("secret_enforced", true)).patch("/client/v1/" + key.clientId()).then()
                .statusCode(200);
        refused(onPeer().header("X-Api-Key", key.apiKey()).header("X-Project-Id", tenant.project().id().toString())
                .get("/api/v1/projects"), "unauthorized");
        onPeer(key).get("/api/v1/projects").then().statusCode(200);
    }

    // ------------------------------------------------------------------------------------------------ users

    private record User(String id, String email, String password) { }

    private User user() {
        String email = "cache-" + System.nanoTime() + "@example.com";
        String password = "cache-password-" + System.nanoTime();
        String id = as(tenant.token()).body(Map.of("email", email, "first_name", "Cache", "last_name", "User",
                "password", password)).post("/api/v1/users").then().statusCode(201).extract().path("user_id");
        return new User(id, email, password);
    }

    @Test
    void aDisabledUsersTokenIsRefusedOnTheNextRequest() {
        User user = user();
        String token = login(user.email(), user.password());
        warm(onPeer(token), "/api/v1/organizations");
        as(tenant.token()).body(Map.of("status", "disabled")).patch("/api/v1/users/" + user.id()).then().statusCode(200);
        refused(onPeer(token).get("/api/v1/organizations"), "unauthorized");
    }

    @Test
    void aDeletedUsersTokenIsRefusedOnTheNextRequest() {
        User user = user();
        String token = login(user.email(), user.password());
        warm(onPeer(token), "/api/v1/organizations");
        as(tenant.token()).delete("/api/v1/users/" + user.id()).then().statusCode(204);
        refused(onPeer(token).get("/api/v1/organizations"), "unauthorized");
    }

    @Test
    void aPasswordChangeEndsTheEarlierTokensOnTheNextRequest() {
        User user = user();
        String token = login(user.email(), user.password());
        String other = login(user.email(), user.password());
        warm(onPeer(other), "/api/v1/organizations");
        as(token).body(Map.of("current_password", user.password(), "new_password", user.password() + "-new"))
                .post("/api/v1/users/me/password").then().statusCode(204);
        refused(onPeer(other).get("/api/v1/organizations"), "unauthorized");
    }

    @Test
    void aLogoutEndsTheTokensOnTheNextRequest() {
        User user = user();
        String token = login(user.email(), user.password());
        warm(onPeer(token), "/api/v1/organizations");
        as(token).post("/auth/v1/logout").then().statusCode(204);
        refused(onPeer(token).get("/api/v1/organizations"), "unauthorized");
    }

    // ------------------------------------------------------------------------------------------------ apps

    private record App(String appId, String token) { }

    private App app() {
        JsonPath created = as(tenant.token()).body(Map.of("name", "cache app " + System.nanoTime()))
                .post("/api/app/create").then().statusCode(201).extract().jsonPath();
        String token = given().header("X-Delivr-Client-ID", created.getString("response.client_id"))
                .header("X-Delivr-Client-Secret", created.getString("response.client_secret")).post("/auth/issue")
                .then().statusCode(200).extract().path("response.token");
        return new App(created.getString("response.app_id"), token);
    }

    @Test
    void aDeletedAppsTokenIsRefusedOnTheNextRequest() {
        App app = app();
        warm(onPeer(app.token()), "/api/app/get");
        as(tenant.token()).delete("/api/app/delete/" + app.appId()).then().statusCode(204);
        refused(onPeer(app.token()).get("/api/app/get"), "unauthorized");
    }

    @Test
    void aRotatedAppsTokenIsRefusedOnTheNextRequest() {
        App app = app();
        warm(onPeer(app.token()), "/api/app/get");
        as(tenant.token()).post("/api/app/rotate/" + app.appId()).then().statusCode(200);
        refused(onPeer(app.token()).get("/api/app/get"), "unauthorized");
    }

    // ------------------------------------------------------------------------------------------------ organizations

    @Test
    void anInactiveOrganizationsCredentialsAreRefusedOnTheNextRequest() {
        String child = childOrganization(tenant.token(), "Cache child " + System.nanoTime(), null);
        String token = userToken(tenant.token(), child);
        ApiClient key = apiClient(token, "cache child key", true);
        warm(onPeer(token), "/api/v1/organizations");
        warm(onPeer().header("X-Api-Key", key.apiKey()).header("X-Api-Secret", key.apiSecret()), "/api/v1/projects");
        as(tenant.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then().statusCode(200);
        refused(onPeer(token).get("/api/v1/organizations"), "organization_inactive");
        refused(onPeer().header("X-Api-Key", key.apiKey()).header("X-Api-Secret", key.apiSecret())
                .get("/api/v1/projects"), "organization_inactive");
    }

    // ------------------------------------------------------------------------------------------------ fail closed

    /**
     * Notifications sent while an instance is not listening are lost: with the listening connections terminated by
     * PostgreSQL, a key revoked on A is still refused on B at once, and once they are back, revocations are heard again.
     */
    @Test
    void aTerminatedListenerFailsClosed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabase.postgres(), "LISTEN/NOTIFY is PostgreSQL's");
        awaitListeners();
        ApiClient key = apiClient(tenant.token(), "cache listener", true);
        warm(onPeer(key), "/api/v1/projects");
        assertThat(sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                + LISTENER + "' AND datname = current_database()"), equalTo(2L));
        as(tenant.token()).delete("/client/v1/" + key.clientId() + "/keys/" + key.keyId()).then().statusCode(204);
        refused(onPeer(key).get("/api/v1/projects"), "unauthorized");

        awaitListeners();
        ApiClient again = apiClient(tenant.token(), "cache listener again", true);
        warm(onPeer(again), "/api/v1/projects");
        as(tenant.token()).delete("/client/v1/" + again.clientId() + "/keys/" + again.keyId()).then().statusCode(204);
        refused(onPeer(again).get("/api/v1/projects"), "unauthorized");
    }

    /** Waits until both instances listen (they reconnect on their own within about a second). */
    private void awaitListeners() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long listening;
        do {
            listening = sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + LISTENER
                    + "' AND datname = current_database() AND state = 'idle'");
            if (listening < 2) {
                Thread.sleep(50);
            }
        } while (listening < 2 && System.nanoTime() < deadline);
        assertThat(listening, greaterThanOrEqualTo(2L));
    }

    private long sql(String query) throws SQLException {
        try (Connection c = database.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
