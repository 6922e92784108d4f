package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.audiences.server.auth.JwtCodec;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Principal;

import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * Which credentials are accepted, and which are 401: the API key pair rule, rotation, revocation,
 * deleted clients, inactive organizations, and expired or forged JWTs.
 */
class CredentialMatrixTest extends ServerTestBase {

    private static final String LEGACY = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}";

    private final MovableClock clock = new MovableClock();
    private Tenant tenant;

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.auth.jwt-ttl", "PT10M");
        return overrides;
    }

    @BeforeAll
    void createTenant() {
        tenant = tenant("Matrix");
    }

    @AfterEach
    void resetClock() {
        clock.set(Duration.ZERO);
    }

    private Response projects(String key, String secret) {
        return withKey(key, secret).get("/api/v1/projects");
    }

    private void assertUnauthorized(Response response) {
        response.then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", notNullValue())
                .body("status", equalTo(401))
                .body("code", notNullValue())
                .body("request_id", notNullValue());
    }

    @Test
    void enforcedClientRejectsKeyWithoutSecretAndAcceptsThePair() {
        ApiClient client = apiClient(tenant.token(), "enforced", true);
        assertUnauthorized(projects(client.apiKey(), null));
        projects(client.apiKey(), null).then().body("code", equalTo("unauthorized"));
        projects(client.apiKey(), client.apiSecret()).then().statusCode(200)
                .body("projects.project_id", equalTo(List.of(tenant.project().id().toString())));
        withKey(client.apiKey(), client.apiSecret()).get("/api/v1/projects/" + tenant.project().id()).then()
                .statusCode(200).body("project_id", equalTo(tenant.project().id().toString()));
    }

    @Test
    void secretEnforcedDefaultsToTrue() {
        var created = as(tenant.token()).body(Map.of("name", "default")).post("/client/v1").then().statusCode(201)
                .body("secret_enforced", equalTo(true)).extract().jsonPath();
        assertUnauthorized(projects(created.getString("api_key"), null));
    }

    @Test
    void nonEnforcedClientAcceptsKeyAlone() {
        ApiClient client = apiClient(tenant.token(), "lenient", false);
        projects(client.apiKey(), null).then().statusCode(200)
                .body("projects.project_id", equalTo(List.of(tenant.project().id().toString())));
        projects(client.apiKey(), client.apiSecret()).then().statusCode(200);
    }

    @Test
    void anyWrongSecretIsRejectedWhateverTheFlag() {
        ApiClient enforced = apiClient(tenant.token(), "enforced-wrong", true);
        ApiClient lenient = apiClient(tenant.token(), "lenient-wrong", false);
        for (ApiClient client : List.of(enforced, lenient)) {
            ApiClient other = client == enforced ? lenient : enforced;
            for (String wrong : List.of("0".repeat(64), other.apiSecret(), client.apiSecret().toUpperCase(),
                    client.apiSecret() + "0", client.apiSecret().substring(1), client.apiKey())) {
                assertUnauthorized(projects(client.apiKey(), wrong));
            }
        }
    }

    @Test
    void unknownKeyIsRejected() {
        assertUnauthorized(projects("dlvr_" + "0".repeat(40), "0".repeat(64)));
        assertUnauthorized(projects("not-a-key", null));
    }

    @Test
    void rotationRevokesTheOldPairAndTheNewPairWorks() {
        ApiClient client = apiClient(tenant.token(), "rotate", true);
        projects(client.apiKey(), client.apiSecret()).then().statusCode(200);
        var rotated = as(tenant.token()).post("/client/v1/" + client.clientId() + "/keys").then().statusCode(201)
                .body("client_id", equalTo(client.clientId()))
                .body("revoked_key_ids", equalTo(List.of(client.keyId())))
                .body("api_key", matchesPattern("dlvr_[0-9a-f]{40}"))
                .body("created_at", matchesPattern(LEGACY))
                .extract().jsonPath();
        String newKey = rotated.getString("api_key");
        assertThat(rotated.getString("key_prefix"), is(newKey.substring(0, 12) + "..."));
        assertUnauthorized(projects(client.apiKey(), client.apiSecret()));
        projects(newKey, rotated.getString("api_secret")).then().statusCode(200);
        // The old secret does not unlock the new key, nor the new secret the old key.
        assertUnauthorized(projects(newKey, client.apiSecret()));
        assertUnauthorized(projects(client.apiKey(), rotated.getString("api_secret")));

        Map<String, Object> listed = listedClient(client.clientId());
        List<Map<String, Object>> keys = keysOf(listed);
        assertThat(keys.size(), is(2));
        Map<String, Object> old = keys.stream().filter(k -> k.get("key_id").equals(client.keyId())).findFirst().orElseThrow();
        assertThat(old.get("status"), is("revoked"));
        assertThat((String) old.get("revoked_at"), matchesPattern(LEGACY));
        Map<String, Object> current = keys.stream().filter(k -> k.get("key_id").equals(rotated.getString("key_id")))
                .findFirst().orElseThrow();
        assertThat(current.get("status"), is("active"));
        assertThat(current.get("revoked_at"), nullValue());
    }

    @Test
    void rotationWithoutRevocationKeepsBothUntilOneIsRevoked() {
        ApiClient client = apiClient(tenant.token(), "overlap", true);
        var rotated = as(tenant.token()).body(Map.of("revoke_existing", false))
                .post("/client/v1/" + client.clientId() + "/keys").then().statusCode(201)
                .body("revoked_key_ids", equalTo(List.of())).extract().jsonPath();
        projects(client.apiKey(), client.apiSecret()).then().statusCode(200);
        projects(rotated.getString("api_key"), rotated.getString("api_secret")).then().statusCode(200);

        as(tenant.token()).delete("/client/v1/" + client.clientId() + "/keys/" + client.keyId()).then().statusCode(204);
        assertUnauthorized(projects(client.apiKey(), client.apiSecret()));
        projects(rotated.getString("api_key"), rotated.getString("api_secret")).then().statusCode(200);
        // Revoking twice is harmless.
        as(tenant.token()).delete("/client/v1/" + client.clientId() + "/keys/" + client.keyId()).then().statusCode(204);
        assertUnauthorized(projects(client.apiKey(), client.apiSecret()));
        Map<String, Object> old = keysOf(listedClient(client.clientId())).stream()
                .filter(k -> k.get("key_id").equals(client.keyId())).findFirst().orElseThrow();
        assertThat(old.get("status"), is("revoked"));
    }

    @Test
    void deletedClientKeysAreRejected() {
        ApiClient client = apiClient(tenant.token(), "doomed", false);
        projects(client.apiKey(), client.apiSecret()).then().statusCode(200);
        as(tenant.token()).delete("/client/v1/" + client.clientId()).then().statusCode(204);
        assertUnauthorized(projects(client.apiKey(), client.apiSecret()));
        assertUnauthorized(projects(client.apiKey(), null));
        as(tenant.token()).get("/client/v1").then().statusCode(200)
                .body("clients.client_id", not(hasItem(client.clientId())));
    }

    @Test
    void credentialsOfAnInactiveOrganizationAndItsDescendantsAreRejected() {
        Tenant parent = tenant("Parent");
        String child = childOrganization(parent.token(), "Child", null);
        String grandchild = childOrganization(parent.token(), "Grandchild", child);
        String childToken = userToken(parent.token(), child);
        String grandchildToken = userToken(parent.token(), grandchild);
        ApiClient childKey = apiClient(childToken, "child", true);
        ApiClient grandchildKey = apiClient(grandchildToken, "grandchild", true);
        projects(childKey.apiKey(), childKey.apiSecret()).then().statusCode(200);
        projects(grandchildKey.apiKey(), grandchildKey.apiSecret()).then().statusCode(200);

        as(parent.token()).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + child).then()
                .statusCode(200).body("status", equalTo("inactive"));

        assertUnauthorized(projects(childKey.apiKey(), childKey.apiSecret()));
        projects(childKey.apiKey(), childKey.apiSecret()).then().body("code", equalTo("organization_inactive"));
        assertUnauthorized(projects(grandchildKey.apiKey(), grandchildKey.apiSecret()));
        assertUnauthorized(as(childToken).get("/api/v1/organizations"));
        assertUnauthorized(as(grandchildToken).get("/api/v1/organizations"));
        // The parent is unaffected.
        as(parent.token()).get("/api/v1/organizations/" + child).then().statusCode(200).body("status", equalTo("inactive"));

        as(parent.token()).body(Map.of("status", "active")).patch("/api/v1/organizations/" + child).then().statusCode(200);
        projects(childKey.apiKey(), childKey.apiSecret()).then().statusCode(200);
        as(grandchildToken).get("/api/v1/organizations").then().statusCode(200);
    }

    @Test
    void expiredJwtIsRejected() {
        String token = login(tenant.email(), tenant.password());
        clock.set(Duration.ofMinutes(9));
        as(token).get("/api/v1/organizations").then().statusCode(200);
        clock.set(Duration.ofMinutes(10).plusSeconds(1));
        assertUnauthorized(as(token).get("/api/v1/organizations"));
        // A token issued now (in the advanced time) works.
        as(login(tenant.email(), tenant.password())).get("/api/v1/organizations").then().statusCode(200);
    }

    @Test
    void badlySignedJwtIsRejected() {
        String token = tenant.token();
        as(token).get("/api/v1/organizations").then().statusCode(200);
        int dot = token.lastIndexOf('.');
        String signature = token.substring(dot + 1);
        char first = signature.charAt(0);
        String tampered = token.substring(0, dot + 1) + (first == 'A' ? 'B' : 'A') + signature.substring(1);
        assertUnauthorized(as(tampered).get("/api/v1/organizations"));
        assertUnauthorized(as(token.substring(0, dot + 1)).get("/api/v1/organizations"));
        // Unsigned ("alg":"none") with the same claims.
        String unsigned = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes()) + token.substring(token.indexOf('.'), dot + 1);
        assertUnauthorized(as(unsigned).get("/api/v1/organizations"));
        // Well-formed claims signed with another key.
        byte[] otherKey = new byte[32];
        new java.security.SecureRandom().nextBytes(otherKey);
        String forged = new JwtCodec(otherKey, Duration.ofMinutes(10), clock).issue(
                new Principal(tenant.organization().id(), Principal.Kind.USER, UUID.randomUUID()), 0);
        assertUnauthorized(as(forged).get("/api/v1/organizations"));
        assertUnauthorized(as("garbage").get("/api/v1/organizations"));
        assertUnauthorized(json().header("Authorization", "Basic " + token).get("/api/v1/organizations"));
    }

    @Test
    void apiKeyIsRejectedOnManagementOperations() {
        ApiClient client = apiClient(tenant.token(), "data-only", true);
        assertUnauthorized(withKey(client.apiKey(), client.apiSecret()).get("/client/v1"));
        assertUnauthorized(withKey(client.apiKey(), client.apiSecret()).get("/api/v1/organizations"));
        assertUnauthorized(withKey(client.apiKey(), client.apiSecret()).body(Map.of("name", "x"))
                .post("/api/v1/projects"));
        assertUnauthorized(withKey(client.apiKey(), client.apiSecret()).get("/api/app/get"));
        assertUnauthorized(given().get("/client/v1"));
    }

    @Test
    void lastUsedAtIsSetOnUseAndListsShowOnlyThePrefix() {
        ApiClient client = apiClient(tenant.token(), "usage", true);
        Map<String, Object> before = keysOf(listedClient(client.clientId())).getFirst();
        assertThat(before.get("last_used_at"), nullValue());
        assertThat(before.get("key_prefix"), is(client.apiKey().substring(0, 12) + "..."));

        projects(client.apiKey(), client.apiSecret()).then().statusCode(200);
        Map<String, Object> after = keysOf(listedClient(client.clientId())).getFirst();
        assertThat((String) after.get("last_used_at"), matchesPattern(LEGACY));

        String raw = as(tenant.token()).get("/client/v1").then().statusCode(200).extract().asString();
        assertThat(raw, not(containsString("\"api_key\"")));
        assertThat(raw, not(containsString("\"api_secret\"")));
        assertThat(raw, not(containsString(client.apiKey())));
        assertThat(raw, not(containsString(client.apiSecret())));
        assertThat(after.keySet(), equalTo(java.util.Set.of("key_id", "key_prefix", "status", "created_at", "last_used_at")));
    }

    private Map<String, Object> listedClient(String clientId) {
        List<Map<String, Object>> clients = as(tenant.token()).get("/client/v1").then().statusCode(200)
                .extract().jsonPath().getList("clients");
        return clients.stream().filter(c -> c.get("client_id").equals(clientId)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> keysOf(Map<String, Object> client) {
        return (List<Map<String, Object>>) client.get("api_keys");
    }
}
