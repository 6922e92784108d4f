package io.audiences.contract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.audiences.server.platform.Contract;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

/** With {@code audiences.cors.allowed-origins} set, a browser page of an allowed origin may call the API; no other. */
class CorsTest extends ServerTestBase {

    private static final String ALLOWED = "https://app.example.com";
    private static final List<String> CONTRACT_CODES = Contract.load().problemCodes().stream()
            .map(Contract.ProblemCode::code).toList();

    private Tenant tenant;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.cors.allowed-origins", ALLOWED + ", http://localhost:3000");
        return overrides;
    }

    @BeforeAll
    void createTenant() {
        tenant = tenant("Cors");
    }

    /** Preflights are not operations of the contract: no response validation, tallied as OPTIONS. */
    private RequestSpecification raw() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(app.port()).filter(ContractCoverage.FILTER);
    }

    /** Refusals are no operation's answer: neither validated against the contract nor tallied. */
    private RequestSpecification untallied() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(app.port());
    }

    @Test
    void aPreflightFromAnAllowedOriginAllowsTheApisHeaders() {
        Response preflight = raw().header("Origin", ALLOWED).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "Authorization, X-Api-Key, X-Api-Secret, Idempotency-Key, Content-Type")
                .options("/api/v1/audiences");
        preflight.then().statusCode(204).header("Access-Control-Allow-Origin", ALLOWED).header("Vary", "Origin");
        List<String> headers = preflight.headers().getValues("Access-Control-Allow-Headers").stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).map(String::toLowerCase).toList();
        assertThat(headers, hasItems("authorization", "x-api-key", "x-api-secret", "idempotency-key", "content-type"));
        assertThat(preflight.headers().getValues("Access-Control-Allow-Methods").stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).toList(), hasItems("POST", "PATCH", "DELETE"));
    }

    @Test
    void anAllowedOriginReadsTheAnswerAndItsHeaders() {
        Response response = given().header("Origin", ALLOWED).header("Authorization", "Bearer " + tenant.token())
                .get("/api/v1/organizations");
        response.then().statusCode(200).header("Access-Control-Allow-Origin", ALLOWED);
        List<String> exposed = response.headers().getValues("Access-Control-Expose-Headers").stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).toList();
        assertThat(exposed, hasItems("X-Request-Id", "X-RateLimit-Remaining", "RateLimit", "ETag", "Location", "Retry-After"));
    }

    /**
     * A cross-origin request from an origin not listed is refused before routing with a 403 problem (Helidon's CORS
     * filter alone would send a bare 403): the browser would block the answer anyway, and the refusal also stops a
     * cross-site form's side effects.
     */
    @Test
    void anotherOriginIsRefusedWithAProblem() {
        Response preflight = untallied().header("Origin", "https://evil.example.com")
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "Authorization")
                .options("/api/v1/audiences");
        assertRefused(preflight, "https://evil.example.com");
        assertThat(preflight.header("Access-Control-Allow-Headers"), nullValue());
        Response request = untallied().header("Origin", "https://evil.example.com")
                .header("Authorization", "Bearer " + tenant.token())
                .header("X-Request-Id", "cors-refusal-1").get("/api/v1/organizations");
        assertRefused(request, "https://evil.example.com");
        assertThat(request.jsonPath().getString("request_id"), equalTo("cors-refusal-1"));
        assertThat(request.header("X-Request-Id"), equalTo("cors-refusal-1"));
        // A listed origin's neighbour (another port) is another origin.
        assertRefused(untallied().header("Origin", "http://localhost:3001").get("/health"), "http://localhost:3001");
        // The server's own pages (same origin, "Try it out" on /docs) and clients that are not browsers are unaffected.
        given().header("Origin", "http://127.0.0.1:" + app.port()).header("Authorization", "Bearer " + tenant.token())
                .get("/api/v1/organizations").then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
        given().header("Authorization", "Bearer " + tenant.token()).get("/api/v1/organizations").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
        assertThat(raw().options("/health").statusCode(), equalTo(204));
    }

    /**
     * A listed origin's preflight for a method or request header the API does not take: a 403 problem naming it (not
     * tallied, like the refusals above: the coverage gate holds OPTIONS to 204).
     */
    @Test
    void aPreflightForAnotherHeaderOrMethodIsRefusedWithAProblem() {
        Response header = untallied().header("Origin", ALLOWED).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, X-Evil").options("/api/v1/audiences");
        assertRefused(header, "cors_preflight_not_allowed", "X-Evil");
        Response method = untallied().header("Origin", ALLOWED).header("Access-Control-Request-Method", "TRACE")
                .options("/api/v1/audiences");
        assertRefused(method, "cors_preflight_not_allowed", "TRACE");
    }

    private static void assertRefused(Response response, String origin) {
        assertRefused(response, "cors_origin_not_allowed", origin);
    }

    private static void assertRefused(Response response, String code, String named) {
        assertThat(response.statusCode(), equalTo(403));
        assertThat(response.contentType(), equalTo("application/problem+json"));
        assertThat(response.header("Access-Control-Allow-Origin"), nullValue());
        assertThat(response.header("Cache-Control"), equalTo("no-store"));
        assertThat(response.jsonPath().getString("code"), equalTo(code));
        assertThat(response.jsonPath().getInt("status"), equalTo(403));
        assertThat(response.jsonPath().getString("type"), equalTo("/docs/errors#" + code));
        assertThat(response.jsonPath().getString("detail"), containsString(named));
        // Its type points at a section of /docs/errors: the contract lists the code.
        assertThat(CONTRACT_CODES, hasItem(code));
    }
}
