package io.audiences.contract;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

/** POST /api/v1/users: generated and given passwords, descendants, email_taken, unreachable organizations. */
class UsersTest extends ServerTestBase {

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Users");
    }

    @Test
    void generatedPasswordIsReturnedOnceAndLogsIn() {
        String email = "ana-" + System.nanoTime() + "@example.com";
        var created = as(tenant.token()).body(Map.of("email", email, "first_name", "Ana", "last_name", "Ruiz"))
                .post("/api/v1/users").then().statusCode(201)
                .contentType("application/json")
                .body("user_id", matchesPattern("[0-9a-f-]{36}"))
                .body("email", equalTo(email))
                .body("first_name", equalTo("Ana"))
                .body("last_name", equalTo("Ruiz"))
                .body("organization_id", equalTo(tenant.organization().id().toString()))
                .body("password", matchesPattern("[0-9a-f]{24}"))
                .extract().jsonPath();
        json().body(Map.of("email", email, "password", created.getString("password"))).post("/auth/v1/login").then()
                .statusCode(200)
                .body("user_id", equalTo(created.getString("user_id")))
                .body("organization_id", equalTo(tenant.organization().id().toString()));
    }

    @Test
    void givenPasswordIsNotEchoed() {
        String email = "Bo-" + System.nanoTime() + "@Example.com";
        String password = "a-long-enough-password";
        as(tenant.token()).body(Map.of("email", email, "first_name", "Bo", "last_name", "Li", "password", password))
                .post("/api/v1/users").then().statusCode(201)
                .body("password", nullValue())
                .body("email", equalTo(email.toLowerCase(Locale.ROOT)));
        json().body(Map.of("email", email, "password", password)).post("/auth/v1/login").then().statusCode(200);
    }

    @Test
    void emailIsUniqueCaseInsensitively() {
        String email = "cy-" + System.nanoTime() + "@example.com";
        as(tenant.token()).body(Map.of("email", email, "first_name", "Cy", "last_name", "Ng")).post("/api/v1/users")
                .then().statusCode(201);
        for (String again : new String[] {email, email.toUpperCase(Locale.ROOT)}) {
            as(tenant.token()).body(Map.of("email", again, "first_name", "Cy", "last_name", "Ng")).post("/api/v1/users")
                    .then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("status", equalTo(409))
                    .body("code", equalTo("email_taken"));
        }
        // Also across organizations.
        Tenant other = tenant("Other users");
        as(other.token()).body(Map.of("email", email, "first_name", "Cy", "last_name", "Ng")).post("/api/v1/users")
                .then().statusCode(409).body("code", equalTo("email_taken"));
        as(tenant.token()).body(Map.of("email", tenant.email().toUpperCase(Locale.ROOT), "first_name", "T",
                "last_name", "U")).post("/api/v1/users").then().statusCode(409).body("code", equalTo("email_taken"));
    }

    @Test
    void usersCanBeCreatedInDescendantsOnly() {
        String child = childOrganization(tenant.token(), "Users child", null);
        String email = "dee-" + System.nanoTime() + "@example.com";
        as(tenant.token()).body(Map.of("email", email, "first_name", "Dee", "last_name", "Oh", "organization_id", child))
                .post("/api/v1/users").then().statusCode(201).body("organization_id", equalTo(child));
        Tenant other = tenant("Unreachable users");
        for (String org : new String[] {other.organization().id().toString(), UUID.randomUUID().toString()}) {
            as(tenant.token()).body(Map.of("email", "x-" + System.nanoTime() + "@example.com", "first_name", "X",
                    "last_name", "Y", "organization_id", org)).post("/api/v1/users").then()
                    .statusCode(404).contentType("application/problem+json").body("code", equalTo("not_found"));
        }
        // The child's users cannot create users in the parent.
        String childToken = userToken(tenant.token(), child);
        as(childToken).body(Map.of("email", "y-" + System.nanoTime() + "@example.com", "first_name", "X",
                "last_name", "Y", "organization_id", tenant.organization().id().toString())).post("/api/v1/users")
                .then().statusCode(404);
    }

    @Test
    void shortPasswordIs400() {
        as(tenant.token()).body(Map.of("email", "short-" + System.nanoTime() + "@example.com", "first_name", "S",
                "last_name", "P", "password", "short")).post("/api/v1/users").then().statusCode(400)
                .body("code", equalTo("validation_failed"))
                .body("errors[0].pointer", equalTo("/password"));
    }
}
