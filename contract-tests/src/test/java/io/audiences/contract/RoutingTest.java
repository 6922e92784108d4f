package io.audiences.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Contract;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** Every operation of the spec is served (no routing 404), and nothing outside the spec is. */
class RoutingTest extends ServerTestBase {

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Routing");
    }

    static OpenAPI spec() {
        return new OpenAPIV3Parser().read(RoutingTest.class.getClassLoader().getResource(Contract.RESOURCE).toString());
    }

    static Stream<Arguments> operations() {
        List<Arguments> result = new ArrayList<>();
        spec().getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
                result.add(Arguments.of(op.getOperationId(), method.name(), path, op.getRequestBody() != null))));
        return result.stream();
    }

    @Test
    void specDeclaresAllOperationsOfIssue2() {
        assertThat(operations().map(a -> (String) a.get()[0]).toList(), hasItems("login", "issueAppToken",
                "createApiClient", "listApiClients", "rotateApiKey", "revokeApiKey", "deleteApiClient", "createApp",
                "listApps", "getApp", "createOrganization", "listOrganizations", "getOrganization", "updateOrganization",
                "createProject", "listProjects", "getProject", "updateProject", "createUser", "getHealth", "getOpenApi"));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("operations")
    void everyOperationIsRouted(String operationId, String method, String template, boolean hasBody) {
        String path = template.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        var spec = as(tenant.token());
        if (hasBody) {
            spec.body("{}");
        }
        Response response = spec.request(method, path);
        assertThat(response.statusCode(), lessThan(500));
        if (response.statusCode() == 404) {
            response.then().contentType("application/problem+json")
                    .body("detail", not(startsWith("No such resource")));
        }
        // Anonymous too: the answer comes from the operation (401 or its own answer), never from routing.
        Response anonymous = given().request(method, path);
        assertThat(anonymous.statusCode(), greaterThanOrEqualTo(200));
        if (anonymous.statusCode() == 404) {
            anonymous.then().body("detail", not(startsWith("No such resource")));
        }
    }

    static Stream<Arguments> notInTheSpec() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/nope"),
                Arguments.of("GET", "/api/v1"),
                Arguments.of("GET", "/api/v1/projects/" + UUID.randomUUID() + "/extra"),
                Arguments.of("DELETE", "/api/v1/nope"),
                Arguments.of("GET", "/api/app/retrieve"),
                Arguments.of("HEAD", "/api/v1/nope"),
                // Under the Public Core prefix only the declared PublicCore operations exist (GET / is declared).
                Arguments.of("GET", "/public/core/client/v1"),
                Arguments.of("GET", "/public/core/openapi"),
                Arguments.of("GET", "/public/core/api/v1/audiences"),
                Arguments.of("GET", "/public/core/taxonomy/topics"),
                Arguments.of("GET", "/public/core/"),
                // Trailing slashes: Helidon's routes match them, the contract does not declare them.
                Arguments.of("GET", "/api/v1/projects/"),
                Arguments.of("POST", "/api/v1/projects/"),
                Arguments.of("GET", "/api/v1/organizations/"),
                Arguments.of("GET", "/client/v1/"),
                Arguments.of("GET", "/health/"));
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("DELETE", "/api/v1/projects", "POST, GET, HEAD, OPTIONS"),
                Arguments.of("PUT", "/api/v1/projects", "POST, GET, HEAD, OPTIONS"),
                Arguments.of("DELETE", "/api/v1/organizations/" + UUID.randomUUID(), "GET, HEAD, PATCH, OPTIONS"),
                Arguments.of("PUT", "/api/v1/organizations/" + UUID.randomUUID(), "GET, HEAD, PATCH, OPTIONS"),
                Arguments.of("POST", "/health", "GET, HEAD, OPTIONS"),
                Arguments.of("DELETE", "/openapi", "GET, HEAD, OPTIONS"),
                Arguments.of("GET", "/auth/v1/login", "POST, OPTIONS"),
                Arguments.of("HEAD", "/auth/issue", "POST, OPTIONS"),
                Arguments.of("GET", "/client/v1/" + UUID.randomUUID(), "PATCH, DELETE, OPTIONS"),
                Arguments.of("GET", "/client/v1/" + UUID.randomUUID() + "/keys", "POST, OPTIONS"),
                Arguments.of("PATCH", "/client/v1", "POST, GET, HEAD, OPTIONS"),
                Arguments.of("GET", "/api/app/create", "POST, OPTIONS"),
                Arguments.of("POST", "/api/app/get", "GET, HEAD, OPTIONS"),
                Arguments.of("GET", "/api/v1/users", "POST, OPTIONS"));
    }

    /** A path of the contract with a method it does not have: 405 naming the ones it has, before any authentication. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void aMethodThePathDoesNotHaveIs405(String method, String path, String allow) {
        for (boolean withToken : List.of(true, false)) {
            var spec = RestAssured.given().baseUri("http://127.0.0.1").port(app.port()).filter(ContractCoverage.FILTER);
            if (withToken) {
                spec.header("Authorization", "Bearer " + tenant.token());
            }
            var response = spec.request(method, path).then()
                    .statusCode(405)
                    .header("Allow", allow)
                    .contentType("application/problem+json")
                    .header("X-Request-Id", not(equalTo(null)));
            if (!method.equals("HEAD")) {
                response.body("code", equalTo("method_not_allowed")).body("status", equalTo(405));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("notInTheSpec")
    void nothingOutsideTheSpecIsServed(String method, String path) {
        // The response validator treats "/x/" as "/x" (and would then reject the 404 as undocumented for
        // some operations); the server does not, so trailing-slash requests skip the validator.
        boolean trailingSlash = path.length() > 1 && path.endsWith("/");
        for (boolean withToken : List.of(true, false)) {
            var spec = trailingSlash
                    ? RestAssured.given().baseUri("http://127.0.0.1").port(app.port()).filter(ContractCoverage.FILTER)
                    : given();
            if (withToken) {
                spec.header("Authorization", "Bearer " + tenant.token());
            }
            var response = spec.request(method, path).then()
                    .statusCode(404)
                    .contentType("application/problem+json")
                    .header("X-Request-Id", not(equalTo(null)));
            if (method.equals("HEAD")) {
                continue;
            }
            response.body("status", equalTo(404))
                    .body("code", equalTo("not_found"))
                    .body("detail", startsWith("No such resource"));
        }
    }
}
