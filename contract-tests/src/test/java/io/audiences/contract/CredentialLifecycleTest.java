package io.audiences.contract;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

/**
 * Every credential can be withdrawn, and the withdrawal holds on the very next request: apps deleted or given a new
 * secret, users disabled or deleted, a user's tokens ended by logout and by a password change, and a generated
 * one-time password good for nothing but its own replacement.
 */
class CredentialLifecycleTest extends ServerTestBase {

    private Tenant tenant;
    private Tenant other;

    @BeforeAll
    void createTenants() {
        tenant = tenant("Lifecycle");
        other = tenant("Lifecycle other");
    }

    private record App(String appId, String clientId, String secret) { }

    private App createApp(String name) {
        JsonPath created = as(tenant.token()).body(Map.of("name", name)).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        return new App(created.getString("response.app_id"), created.getString("response.client_id"),
                created.getString("response.client_secret"));
    }

    private Response issue(String clientId, String secret) {
        return given().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", secret).post("/auth/issue");
    }

    private String appToken(App app) {
        return issue(app.clientId(), app.secret()).then().statusCode(200).extract().path("response.token");
    }

    private static void assertUnauthorized(Response response, String code) {
        response.then().statusCode(401).contentType("application/problem+json").body("code", equalTo(code));
    }

    // ---------------------------------------------------------------------------------------------- apps

    @Test
    void aDeletedAppsSecretAndTokensAreRefusedOnTheNextRequest() {
        App app = createApp("Leaked");
        String token = appToken(app);
        as(token).get("/api/app/get").then().statusCode(200);

        as(tenant.token()).delete("/api/app/delete/" + app.appId()).then().statusCode(204);
        assertUnauthorized(as(token).get("/api/app/get"), "unauthorized");
        assertUnauthorized(as(token).body(Map.of("name", "via leaked token")).post("/client/v1"), "unauthorized");
        assertUnauthorized(issue(app.clientId(), app.secret()), "invalid_credentials");

        // Gone for every later call: reads, a second delete, a rotation.
        as(tenant.token()).get("/api/app/retrieve/" + app.appId()).then().statusCode(404).body("code", equalTo("not_found"));
        as(tenant.token()).get("/api/app/get").then().statusCode(200)
                .body("response.apps.app_id", not(org.hamcrest.Matchers.hasItem(app.appId())));
        as(tenant.token()).delete("/api/app/delete/" + app.appId()).then().statusCode(404);
        as(tenant.token()).post("/api/app/rotate/" + app.appId()).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("not_found"));
    }

    @Test
    void aRotatedSecretsOldValueAndEarlierTokensAreRefused() {
        App app = createApp("Rotated");
        String before = appToken(app);

        JsonPath rotated = as(tenant.token()).post("/api/app/rotate/" + app.appId()).then().statusCode(200)
                .body("response.app_id", equalTo(app.appId()))
                .body("response.client_id", equalTo(app.clientId()))
                .body("response.status", equalTo("active"))
                .body("response.client_secret", matchesPattern("secret_[0-9a-f]{48}"))
                .extract().jsonPath();
        String secret = rotated.getString("response.client_secret");
        assertThat(secret, not(equalTo(app.secret())));

        assertUnauthorized(issue(app.clientId(), app.secret()), "invalid_credentials");
        assertUnauthorized(as(before).get("/api/app/get"), "unauthorized");
        String after = issue(app.clientId(), secret).then().statusCode(200).extract().path("response.token");
        as(after).get("/api/app/get").then().statusCode(200);
        // The secret never comes back on reads.
        as(tenant.token()).get("/api/app/retrieve/" + app.appId()).then().statusCode(200)
                .body("response.app.status", equalTo("active"))
                .body("response.app.secret.client_secret", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void anotherOrganizationsAppCannotBeDeletedOrRotated() {
        App app = createApp("Private");
        as(other.token()).delete("/api/app/delete/" + app.appId()).then().statusCode(404).body("code", equalTo("not_found"));
        as(other.token()).post("/api/app/rotate/" + app.appId()).then().statusCode(404).body("code", equalTo("not_found"));
        as(tenant.token()).delete("/api/app/delete/" + UUID.randomUUID()).then().statusCode(404);
        as(tenant.token()).post("/api/app/rotate/" + UUID.randomUUID()).then().statusCode(404);
        appToken(app);
    }

    // ---------------------------------------------------------------------------------------------- users

    private record User(String id, String email, String password) { }

    private User createUser(String organizationId, String password) {
        String email = "u" + System.nanoTime() + "@example.com";
        var body = new java.util.HashMap<String, Object>(Map.of("email", email, "first_name", "Ana", "last_name", "Ruiz",
                "organization_id", organizationId));
        if (password != null) {
            body.put("password", password);
        }
        JsonPath created = as(tenant.token()).body(body).post("/api/v1/users").then().statusCode(201).extract().jsonPath();
        return new User(created.getString("user_id"), email, password != null ? password : created.getString("password"));
    }

    private Response loginResponse(String email, String password) {
        return json().body(Map.of("email", email, "password", password)).post("/auth/v1/login");
    }

    @Test
    void aOneTimePasswordMustBeReplacedAtFirstUse() {
        User user = createUser(tenant.organization().id().toString(), null);
        String token = loginResponse(user.email(), user.password()).then().statusCode(200)
                .body("password_change_required", equalTo(true)).extract().path("token");

        // That token can do nothing else...
        assertUnauthorized(as(token).get("/api/v1/organizations"), "password_change_required");
        assertUnauthorized(as(token).body(Map.of("name", "x")).post("/client/v1"), "password_change_required");
        // ...but replace the password, with the right current one and a new one.
        as(token).body(Map.of("current_password", "not-the-password", "new_password", "a-brand-new-password"))
                .post("/api/v1/users/me/password").then().statusCode(400).body("code", equalTo("invalid_current_password"))
                .body("errors[0].pointer", equalTo("/current_password"));
        as(token).body(Map.of("current_password", user.password(), "new_password", user.password()))
                .post("/api/v1/users/me/password").then().statusCode(400).body("code", equalTo("password_unchanged"));
        as(token).body(Map.of("current_password", user.password(), "new_password", "a-brand-new-password"))
                .post("/api/v1/users/me/password").then().statusCode(204);

        assertUnauthorized(as(token).get("/api/v1/organizations"), "unauthorized");
        loginResponse(user.email(), user.password()).then().statusCode(401);
        String fresh = loginResponse(user.email(), "a-brand-new-password").then().statusCode(200)
                .body("password_change_required", equalTo(false)).extract().path("token");
        as(fresh).get("/api/v1/organizations").then().statusCode(200);
    }

    @Test
    void aPasswordChangeEndsEveryEarlierTokenOfTheUser() {
        User user = createUser(tenant.organization().id().toString(), "first-password-of-ana");
        String one = login(user.email(), user.password());
        String two = login(user.email(), user.password());
        as(two).get("/api/v1/organizations").then().statusCode(200);
        as(one).body(Map.of("current_password", user.password(), "new_password", "second-password-of-ana"))
                .post("/api/v1/users/me/password").then().statusCode(204);
        assertUnauthorized(as(one).get("/api/v1/organizations"), "unauthorized");
        assertUnauthorized(as(two).get("/api/v1/organizations"), "unauthorized");
        as(login(user.email(), "second-password-of-ana")).get("/api/v1/organizations").then().statusCode(200);
    }

    @Test
    void logoutEndsTheUsersTokens() {
        User user = createUser(tenant.organization().id().toString(), "password-of-a-leaver");
        String one = login(user.email(), user.password());
        String two = login(user.email(), user.password());
        as(one).post("/auth/v1/logout").then().statusCode(204);
        assertUnauthorized(as(one).get("/api/v1/organizations"), "unauthorized");
        assertUnauthorized(as(two).get("/api/v1/organizations"), "unauthorized");
        assertUnauthorized(as(one).post("/auth/v1/logout"), "unauthorized");
        as(login(user.email(), user.password())).get("/api/v1/organizations").then().statusCode(200);
    }

    @Test
    void onlyAUserCanLogOutOrChangeItsPassword() {
        String token = appToken(createApp("Not a user"));
        as(token).post("/auth/v1/logout").then().statusCode(403).contentType("application/problem+json")
                .body("code", equalTo("user_required"));
        as(token).body(Map.of("current_password", "whatever", "new_password", "a-brand-new-password"))
                .post("/api/v1/users/me/password").then().statusCode(403).body("code", equalTo("user_required"));
        as(token).get("/api/app/get").then().statusCode(200);
    }

    @Test
    void aDisabledUserCannotLogInAndItsTokensAreRefused() {
        User user = createUser(tenant.organization().id().toString(), "password-of-a-suspect");
        String token = login(user.email(), user.password());
        as(token).get("/api/v1/organizations").then().statusCode(200);

        as(tenant.token()).body(Map.of("status", "disabled")).patch("/api/v1/users/" + user.id()).then().statusCode(200)
                .body("user_id", equalTo(user.id())).body("status", equalTo("disabled")).body("email", equalTo(user.email()))
                .body("organization_id", equalTo(tenant.organization().id().toString()));
        assertUnauthorized(as(token).get("/api/v1/organizations"), "unauthorized");
        assertUnauthorized(loginResponse(user.email(), user.password()), "user_disabled");

        // Enabled again: a new login works, the tokens from before do not come back.
        as(tenant.token()).body(Map.of("status", "active")).patch("/api/v1/users/" + user.id()).then().statusCode(200)
                .body("status", equalTo("active"));
        assertUnauthorized(as(token).get("/api/v1/organizations"), "unauthorized");
        as(login(user.email(), user.password())).get("/api/v1/organizations").then().statusCode(200);
    }

    @Test
    void aDeletedUserIsGoneAndItsEmailFree() {
        User user = createUser(tenant.organization().id().toString(), "password-of-a-goner");
        String token = login(user.email(), user.password());
        as(tenant.token()).delete("/api/v1/users/" + user.id()).then().statusCode(204);
        assertUnauthorized(as(token).get("/api/v1/organizations"), "unauthorized");
        assertThat(loginResponse(user.email(), user.password()).statusCode(), anyOf(is(401), is(404)));
        as(tenant.token()).delete("/api/v1/users/" + user.id()).then().statusCode(404).body("code", equalTo("not_found"));
        as(tenant.token()).body(Map.of("status", "active")).patch("/api/v1/users/" + user.id()).then().statusCode(404);
        // Name, email and hash are erased from the row.
        List<Object> row = app.database().inTransaction(tx -> tx.get("SELECT email, first_name, password_hash FROM app_user "
                + "WHERE id = ?", UUID.fromString(user.id())).map(r -> List.<Object>of(r.column("email").get(String.class),
                r.column("first_name").get(String.class), r.column("password_hash").get(String.class))).orElseThrow());
        assertThat(row, equalTo(List.of(user.id() + "@deleted.invalid", "", "")));
        createUser(tenant.organization().id().toString(), "password-of-a-newcomer");
        as(tenant.token()).body(Map.of("email", user.email(), "first_name", "Again", "last_name", "Here",
                "password", "password-of-a-returner")).post("/api/v1/users").then().statusCode(201);
    }

    @Test
    void aUserCannotDisableOrDeleteItselfNorReachUsersOutsideItsSubtree() {
        String self = login(tenant.email(), tenant.password());
        String selfId = json().body(Map.of("email", tenant.email(), "password", tenant.password())).post("/auth/v1/login")
                .then().statusCode(200).extract().path("user_id");
        as(self).body(Map.of("status", "disabled")).patch("/api/v1/users/" + selfId).then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("own_user"));
        as(self).delete("/api/v1/users/" + selfId).then().statusCode(409).body("code", equalTo("own_user"));

        User mine = createUser(tenant.organization().id().toString(), "password-of-a-member");
        as(other.token()).body(Map.of("status", "disabled")).patch("/api/v1/users/" + mine.id()).then().statusCode(404);
        as(other.token()).delete("/api/v1/users/" + mine.id()).then().statusCode(404);

        // A parent reaches its child's users; the child does not reach the parent's.
        String child = childOrganization(tenant.token(), "Lifecycle child", null);
        String childToken = userToken(tenant.token(), child);
        User inChild = createUser(child, "password-of-a-child");
        as(tenant.token()).body(Map.of("status", "disabled")).patch("/api/v1/users/" + inChild.id()).then().statusCode(200);
        as(childToken).body(Map.of("status", "disabled")).patch("/api/v1/users/" + mine.id()).then().statusCode(404);
        as(login(mine.email(), mine.password())).get("/api/v1/organizations").then().statusCode(200);
    }
}
