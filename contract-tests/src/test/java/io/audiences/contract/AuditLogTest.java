package io.audiences.contract;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The audit log: each change is recorded with its actor, credential and request id, in the transaction of the change
 * (a refused change leaves no event), refused sign-ins too, and {@code GET /api/v1/audit-events} lists an
 * organization's events and its descendants', never an ancestor's or a sibling's, with cursor pagination and filters.
 */
class AuditLogTest extends AudienceTestBase {

    private Tenant tenant;
    private String userId;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Audited");
        userId = json().body(Map.of("email", tenant.email(), "password", tenant.password())).post("/auth/v1/login").then()
                .statusCode(200).extract().path("user_id");
    }

    private List<Map<String, Object>> events(String token, String filter, String value) {
        var spec = as(token).queryParam("limit", 200);
        if (filter != null) {
            spec = spec.queryParam(filter, value);
        }
        return spec.get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getList("events");
    }

    private Map<String, Object> only(String token, String action, String targetId) {
        List<Map<String, Object>> found = events(token, "target_id", targetId).stream()
                .filter(e -> action.equals(e.get("action"))).toList();
        assertThat(action + " of " + targetId, found, hasSize(1));
        return found.getFirst();
    }

    @Test
    void aChangeIsRecordedWithItsActorCredentialAndRequestId() {
        String requestId = "audit-" + UUID.randomUUID();
        String clientId = as(tenant.token()).header("X-Request-Id", requestId).body(Map.of("name", "Audited client", "scope", "read"))
                .post("/client/v1").then().statusCode(201).extract().path("client_id");
        Map<String, Object> event = only(tenant.token(), "api_client.created", clientId);
        assertThat(event.get("actor_type"), equalTo("user"));
        assertThat(event.get("actor_id"), equalTo(userId));
        assertThat(event.get("credential_id"), notNullValue());
        assertThat(event.get("request_id"), equalTo(requestId));
        assertThat(event.get("organization_id"), equalTo(tenant.organization().id().toString()));
        assertThat(event.get("target_type"), equalTo("api_client"));
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) event.get("details");
        assertThat(details.get("name"), equalTo("Audited client"));
        assertThat(details.get("scope"), equalTo("read"));
        assertThat(details.get("secret_enforced"), equalTo("true"));
        assertThat(details.keySet(), equalTo(java.util.Set.of("name", "scope", "secret_enforced", "key_id", "key_prefix")));
        assertThat(Instant.parse((String) event.get("occurred_at")).isBefore(Instant.now().plusSeconds(5)), is(true));
    }

    @Test
    void aChangeMadeWithAnApiKeyNamesTheKey() {
        ApiClient key = apiClient(tenant.token(), "Audience writer", true);
        long id = ((Number) withKey(key.apiKey(), key.apiSecret()).header("X-Project-Id", tenant.project().id().toString())
                .body(Map.of("name", "Keyed", "type", "elixir", "filter", and(rule("seniority_level", "in", List.of("vp")))))
                .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();
        Map<String, Object> created = only(tenant.token(), "audience.created", Long.toString(id));
        assertThat(created.get("actor_type"), equalTo("api_key"));
        assertThat(created.get("actor_id"), equalTo(key.clientId()));
        assertThat(created.get("credential_id"), equalTo(key.keyId()));
        assertThat(created.get("details"), equalTo(Map.of("name", "Keyed", "project_id", tenant.project().id().toString())));

        withKey(key.apiKey(), key.apiSecret()).header("X-Project-Id", tenant.project().id().toString())
                .post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString()).delete("/api/v1/audiences/" + id).then()
                .statusCode(204);
        List<Object> actions = events(tenant.token(), "target_id", Long.toString(id)).stream().map(e -> e.get("action")).toList();
        assertThat(actions, equalTo(List.of("audience.created", "audience.paused", "audience.deleted")));
    }

    @Test
    void credentialAndUserChangesAreAllRecorded() {
        String appId = as(tenant.token()).body(Map.of("name", "Audited app")).post("/api/app/create").then().statusCode(201)
                .extract().path("response.app_id");
        as(tenant.token()).post("/api/app/rotate/" + appId).then().statusCode(200);
        as(tenant.token()).delete("/api/app/delete/" + appId).then().statusCode(204);
        List<Object> appActions = events(tenant.token(), "target_id", appId).stream().map(e -> e.get("action")).toList();
        assertThat(appActions, equalTo(List.of("app.created", "app.secret_rotated", "app.deleted")));

        ApiClient client = apiClient(tenant.token(), "Rotated client", true);
        as(tenant.token()).post("/client/v1/" + client.clientId() + "/keys").then().statusCode(201);
        as(tenant.token()).delete("/client/v1/" + client.clientId()).then().statusCode(204);
        List<Object> clientActions = events(tenant.token(), "target_id", client.clientId()).stream().map(e -> e.get("action"))
                .toList();
        assertThat(clientActions, equalTo(List.of("api_client.created", "api_key.rotated", "api_client.deleted")));

        String email = "audited-" + System.nanoTime() + "@example.com";
        String user = as(tenant.token()).body(Map.of("email", email, "first_name", "Au", "last_name", "Dited",
                "password", "password-of-the-audited")).post("/api/v1/users").then().statusCode(201).extract().path("user_id");
        String token = login(email, "password-of-the-audited");
        as(token).body(Map.of("current_password", "password-of-the-audited", "new_password", "new-password-of-the-audited"))
                .post("/api/v1/users/me/password").then().statusCode(204);
        as(login(email, "new-password-of-the-audited")).post("/auth/v1/logout").then().statusCode(204);
        as(tenant.token()).body(Map.of("status", "disabled")).patch("/api/v1/users/" + user).then().statusCode(200);
        as(tenant.token()).delete("/api/v1/users/" + user).then().statusCode(204);
        List<Map<String, Object>> userEvents = events(tenant.token(), "target_id", user);
        assertThat(userEvents.stream().map(e -> e.get("action")).toList(), equalTo(List.of("user.created",
                "user.password_changed", "user.logged_out", "user.disabled", "user.deleted")));
        assertThat(userEvents.get(1).get("actor_id"), equalTo(user));
        assertThat(userEvents.get(3).get("actor_id"), equalTo(userId));
    }

    @Test
    void aRefusedChangeLeavesNoEventAndAFailedSignInLeavesOne() {
        String email = "taken-" + System.nanoTime() + "@example.com";
        Map<String, Object> body = Map.of("email", email, "first_name", "Ta", "last_name", "Ken", "password", "password-of-taken");
        String user = as(tenant.token()).body(body).post("/api/v1/users").then().statusCode(201).extract().path("user_id");
        as(tenant.token()).body(body).post("/api/v1/users").then().statusCode(409);
        assertThat(events(tenant.token(), "action", "user.created").stream()
                .filter(e -> e.get("details") instanceof Map<?, ?> d && email.equals(d.get("email"))).toList(), hasSize(1));

        String requestId = "wrong-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            json().header("X-Request-Id", requestId).body(Map.of("email", email, "password", "not-the-password"))
                    .post("/auth/v1/login").then().statusCode(401);
        }
        List<Map<String, Object>> failed = events(tenant.token(), "target_id", user).stream()
                .filter(e -> "user.sign_in_failed".equals(e.get("action"))).toList();
        assertThat(failed, hasSize(3));
        assertThat(failed.getFirst().get("actor_type"), equalTo("anonymous"));
        assertThat(failed.getFirst().get("actor_id"), nullValue());
        assertThat(failed.getFirst().get("request_id"), equalTo(requestId));
    }

    @Test
    void anOrganizationSeesItsSubtreeOnlyAndPagesThroughIt() {
        Tenant parent = tenant("Audit parent");
        String child = childOrganization(parent.token(), "Audit child", null);
        String sibling = childOrganization(parent.token(), "Audit sibling", null);
        String childToken = userToken(parent.token(), child);
        String siblingToken = userToken(parent.token(), sibling);
        String parentClient = apiClient(parent.token(), "Parent's client", true).clientId();
        String childProject = as(childToken).body(Map.of("name", "Child project")).post("/api/v1/projects").then()
                .statusCode(201).extract().path("project_id");

        List<Object> parentSees = events(parent.token(), null, null).stream().map(e -> e.get("target_id")).toList();
        assertThat(parentSees, hasItem(parentClient));
        assertThat(parentSees, hasItem(childProject));
        List<Map<String, Object>> childSees = events(childToken, null, null);
        assertThat(childSees.stream().map(e -> e.get("target_id")).toList(), hasItem(childProject));
        assertThat(childSees.stream().map(e -> e.get("target_id")).toList(), not(hasItem(parentClient)));
        assertThat(childSees.stream().filter(e -> !child.equals(e.get("organization_id"))).toList(), is(empty()));
        assertThat(events(siblingToken, "target_id", childProject), is(empty()));
        // Another tenant sees none of it.
        assertThat(events(tenant.token(), "target_id", parentClient), is(empty()));

        // Pages of one event cover the same events in the same order.
        List<Object> all = events(parent.token(), null, null).stream().map(e -> e.get("event_id")).toList();
        List<Object> paged = new java.util.ArrayList<>();
        String cursor = null;
        do {
            var spec = as(parent.token()).queryParam("limit", 1);
            if (cursor != null) {
                spec = spec.queryParam("cursor", cursor);
            }
            JsonPath page = spec.get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath();
            paged.addAll(page.getList("events.event_id"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        assertThat(paged, equalTo(all));
        assertThat(events(parent.token(), "action", "organization.created").size(), is(2));
        assertThat(events(parent.token(), "since", Instant.now().plusSeconds(3600).toString()), is(empty()));
        as(parent.token()).queryParam("since", "yesterday").get("/api/v1/audit-events").then().statusCode(400)
                .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("since"));
    }
}
