package io.audiences.contract;

import java.util.List;
import java.util.Map;

import io.audiences.server.setup.Bootstrap;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * One email rule for every operation: what bootstrap and user creation accept, login accepts, reserved and internal
 * domains included. Before: {@code bootstrap --email admin@acme.example} (the README's example) created an admin
 * whose every login answered 400, and {@code POST /api/v1/users} refused the same address.
 */
class EmailRuleTest extends ServerTestBase {

    private static final List<String> RESERVED = List.of("ops@corp.internal", "qa@shop.test", "nas@home.local",
            "first.last+tag@acme.example");
    private static final List<String> INVALID = List.of("not-an-email", "a@b", "a@@b.com", "a b@c.com", "@b.com",
            "a@-b.com", "a..b@c.com");

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Emails");
    }

    @Test
    void theReadmesBootstrapExampleCanLogIn() {
        JsonPath printed = JsonPath.from(Bootstrap.run(app.database(), app.tenancy(), app.credentials(),
                Bootstrap.Arguments.parse(new String[] {"bootstrap", "--org", "Acme", "--email", "admin@acme.example"})));
        login("admin@acme.example", printed.getString("password"));
    }

    @Test
    void reservedAndInternalDomainsAreAcceptedByEveryOperation() {
        for (String email : RESERVED) {
            String password = "pw-" + System.nanoTime();
            as(tenant.token()).body(Map.of("email", email, "first_name", "R", "last_name", "D", "password", password))
                    .post("/api/v1/users").then().statusCode(201);
            login(email, password);
        }
    }

    @Test
    void whatOneOperationRefusesEveryOperationRefuses() {
        for (String email : INVALID) {
            as(tenant.token()).body(Map.of("email", email, "first_name", "I", "last_name", "V"))
                    .post("/api/v1/users").then().statusCode(400).body("errors[0].pointer", org.hamcrest.Matchers.equalTo("/email"));
            json().body(Map.of("email", email, "password", "x")).post("/auth/v1/login").then().statusCode(400)
                    .body("code", org.hamcrest.Matchers.equalTo("validation_failed"));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Bootstrap.Arguments.parse(
                    new String[] {"bootstrap", "--org", "Acme", "--email", email}));
            assertThat(refused.getMessage(), containsString("email"));
        }
    }
}
