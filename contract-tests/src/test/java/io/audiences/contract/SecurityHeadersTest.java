package io.audiences.contract;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/**
 * Answers carrying tokens, secrets, one-time passwords and contact data may not be kept by any cache
 * ({@code Cache-Control: no-store}, the default of every answer), no answer may be content-sniffed, and the reference
 * page runs only its own scripts and cannot be framed. Before: none of these headers were sent.
 */
class SecurityHeadersTest extends ServerTestBase {

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Headers");
    }

    @Test
    void answersWithTokensSecretsAndPasswordsAreNotStored() {
        json().body(Map.of("email", tenant.email(), "password", tenant.password())).post("/auth/v1/login").then()
                .statusCode(200).header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
        as(tenant.token()).body(Map.of("name", "Cached?")).post("/client/v1").then().statusCode(201)
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
        var app = as(tenant.token()).body(Map.of("name", "Cached app")).post("/api/app/create").then().statusCode(201)
                .header("Cache-Control", "no-store").extract().jsonPath();
        given().header("X-Delivr-Client-ID", app.getString("response.client_id"))
                .header("X-Delivr-Client-Secret", app.getString("response.client_secret"))
                .post("/auth/issue").then().statusCode(200).header("Cache-Control", "no-store");
        as(tenant.token()).body(Map.of("email", "otp" + System.nanoTime() + "@example.com", "first_name", "One",
                        "last_name", "Time")).post("/api/v1/users").then().statusCode(201)
                .header("Cache-Control", "no-store").body("password", org.hamcrest.Matchers.notNullValue());
        as(tenant.token()).get("/api/v1/organizations/" + tenant.organization().id()).then().statusCode(200)
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
    }

    @Test
    void errorsCarryThemToo() {
        given().get("/api/v1/organizations").then().statusCode(401)
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
        given().get("/no/such/path").then().statusCode(404)
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
    }

    @Test
    void theReferencePageHasAContentSecurityPolicyAndCannotBeFramed() {
        var page = given().get("/docs").then().statusCode(200)
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-cache")
                .extract();
        String csp = page.header("Content-Security-Policy");
        assertThat(csp, containsString("default-src 'none'"));
        assertThat(csp, containsString("frame-ancestors 'none'"));
        assertThat(csp, containsString("script-src 'self' 'sha256-"));
        assertThat("no inline script but the page's own", csp, not(containsString("script-src 'self' 'unsafe-inline'")));
        // Public static files may be cached: they carry nothing of anyone's.
        given().get("/docs/assets/swagger-ui.css").then().statusCode(200)
                .header("Cache-Control", "public, max-age=86400").header("X-Content-Type-Options", "nosniff");
    }
}
