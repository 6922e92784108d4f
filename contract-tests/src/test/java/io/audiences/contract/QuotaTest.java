package io.audiences.contract;

import java.util.HashMap;
import java.util.Map;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Documented per-tenant quotas, tested at the boundary: the last place is granted (201), the next creation answers
 * 409 quota_exceeded, and the tenant's children draw from the same quota. Before: no quota at all (28 child
 * organizations in 2 s, without end).
 */
class QuotaTest extends ServerTestBase {

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.putAll(Map.of("audiences.quotas.organizations", "2", "audiences.quotas.projects", "2",
                "audiences.quotas.users", "2", "audiences.quotas.api-clients", "1", "audiences.quotas.apps", "1",
                "audiences.quotas.audiences", "1"));
        return overrides;
    }

    @Test
    void childOrganizationsAtTheBoundary() {
        Tenant t = tenant("Orgs");
        String child = childOrganization(t.token(), "Child 1", null);
        // A grandchild counts against the same tenant.
        childOrganization(t.token(), "Grandchild", child);
        exceeded(as(t.token()).body(Map.of("name", "Child 3")), "/api/v1/organizations", "child organizations");
        exceeded(as(t.token()).body(Map.of("name", "Great-grandchild", "parent_organization_id", child)),
                "/api/v1/organizations", "child organizations");
        // Another tenant has its own quota.
        childOrganization(tenant("Other orgs").token(), "Child 1", null);
    }

    @Test
    void projectsAtTheBoundary() {
        Tenant t = tenant("Projects"); // holds one project already
        as(t.token()).body(Map.of("name", "Second")).post("/api/v1/projects").then().statusCode(201);
        exceeded(as(t.token()).body(Map.of("name", "Third")), "/api/v1/projects", "projects");
    }

    @Test
    void usersAtTheBoundary() {
        Tenant t = tenant("Users"); // holds one user already
        as(t.token()).body(user()).post("/api/v1/users").then().statusCode(201);
        exceeded(as(t.token()).body(user()), "/api/v1/users", "users");
    }

    @Test
    void apiClientsAtTheBoundaryAndDeletedOnesFreeTheirPlace() {
        Tenant t = tenant("Clients");
        ApiClient first = apiClient(t.token(), "First", true);
        exceeded(as(t.token()).body(Map.of("name", "Second")), "/client/v1", "API clients");
        as(t.token()).delete("/client/v1/" + first.clientId()).then().statusCode(204);
        apiClient(t.token(), "Second", true);
    }

    @Test
    void appsAtTheBoundary() {
        Tenant t = tenant("Apps");
        as(t.token()).body(Map.of("name", "First")).post("/api/app/create").then().statusCode(201);
        exceeded(as(t.token()).body(Map.of("name", "Second")), "/api/app/create", "apps");
    }

    @Test
    void audiencesAtTheBoundary() {
        Tenant t = tenant("Audiences");
        Map<String, Object> body = Map.of("name", "Only", "type", "elixir", "filter", Map.of("condition", "and", "rules",
                java.util.List.of(Map.of("fieldName", "company_employee_count",
                        "conditionRules", Map.of("operator", "gte", "value", 51)))));
        as(t.token()).header("X-Project-Id", t.project().id().toString()).body(body).post("/api/v1/audiences")
                .then().statusCode(201);
        exceeded(as(t.token()).header("X-Project-Id", t.project().id().toString()).body(body), "/api/v1/audiences",
                "audiences");
    }

    private static Map<String, Object> user() {
        return Map.of("email", "q" + System.nanoTime() + "@example.com", "first_name", "Q", "last_name", "U");
    }

    private static void exceeded(RequestSpecification request, String path, String noun) {
        request.post(path).then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("quota_exceeded"))
                .body("detail", containsString(noun));
    }
}
