package io.audiences.contract;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** The ApiClients operations: create, list, rotate, revoke, delete; their documented errors and stored state. */
class ApiClientsTest extends ServerTestBase {

    private static final String LEGACY = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}";
    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private Tenant tenant;
    private Tenant other;

    @BeforeAll
    void createTenants() {
        tenant = tenant("Clients");
        other = tenant("Other clients");
    }

    @Test
    void createReturnsTheKeyPairOnceAndListShowsTheClient() {
        var created = as(tenant.token()).body(Map.of("name", "CRM sync", "secret_enforced", false))
                .post("/client/v1").then().statusCode(201)
                .contentType("application/json")
                .body("client_id", matchesPattern(UUID_PATTERN))
                .body("name", equalTo("CRM sync"))
                .body("status", equalTo("active"))
                .body("secret_enforced", equalTo(false))
                .body("key_id", matchesPattern(UUID_PATTERN))
                .body("api_key", matchesPattern("dlvr_[0-9a-f]{40}"))
                .body("api_secret", matchesPattern("[0-9a-f]{64}"))
                .body("created_at", matchesPattern(LEGACY))
                .extract().jsonPath();
        assertThat(created.getString("key_prefix"), is(created.getString("api_key").substring(0, 12) + "..."));
        String clientId = created.getString("client_id");

        var list = as(tenant.token()).get("/client/v1").then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("clients.client_id"), hasItem(clientId));
        assertThat(list.getInt("total"), is(list.getList("clients").size()));
        String path = "clients.find { it.client_id == '" + clientId + "' }";
        assertThat(list.getString(path + ".name"), is("CRM sync"));
        assertThat(list.getBoolean(path + ".secret_enforced"), is(false));
        assertThat(list.getString(path + ".created_at"), is(created.getString("created_at")));
        assertThat(list.getList(path + ".api_keys.key_id"), equalTo(List.of(created.getString("key_id"))));
        assertThat(list.getString(path + ".api_keys[0].status"), is("active"));
        // Other organizations do not see it.
        as(other.token()).get("/client/v1").then().statusCode(200).body("clients.client_id", not(hasItem(clientId)));
    }

    @Test
    void listIsExactlyTheOrganizationsLiveClientsInCreationOrder() {
        Tenant fresh = tenant("Fresh clients");
        as(fresh.token()).get("/client/v1").then().statusCode(200).body("total", equalTo(0))
                .body("clients", equalTo(List.of()));
        ApiClient first = apiClient(fresh.token(), "first", true);
        ApiClient second = apiClient(fresh.token(), "second", true);
        ApiClient third = apiClient(fresh.token(), "third", false);
        as(fresh.token()).delete("/client/v1/" + second.clientId()).then().statusCode(204);
        as(fresh.token()).get("/client/v1").then().statusCode(200).body("total", equalTo(2))
                .body("clients.client_id", equalTo(List.of(first.clientId(), third.clientId())))
                .body("clients.name", equalTo(List.of("first", "third")));
    }

    @Test
    void rotateReturnsANewPairAndRecordsTheRevocation() {
        ApiClient client = apiClient(tenant.token(), "rotating", true);
        var rotated = as(tenant.token()).body(Map.of("revoke_existing", true))
                .post("/client/v1/" + client.clientId() + "/keys").then().statusCode(201)
                .body("client_id", equalTo(client.clientId()))
                .body("key_id", not(equalTo(client.keyId())))
                .body("api_secret", matchesPattern("[0-9a-f]{64}"))
                .body("revoked_key_ids", equalTo(List.of(client.keyId())))
                .extract().jsonPath();
        assertThat(rotated.getString("api_key"), not(equalTo(client.apiKey())));
        // A second rotation revokes only the then-active key.
        as(tenant.token()).post("/client/v1/" + client.clientId() + "/keys").then().statusCode(201)
                .body("revoked_key_ids", equalTo(List.of(rotated.getString("key_id"))));
    }

    @Test
    void unknownOrForeignClientsAndKeysAre404() {
        ApiClient foreign = apiClient(other.token(), "foreign", true);
        ApiClient own = apiClient(tenant.token(), "own", true);
        for (String clientId : List.of(foreign.clientId(), UUID.randomUUID().toString())) {
            as(tenant.token()).post("/client/v1/" + clientId + "/keys").then().statusCode(404)
                    .contentType("application/problem+json").body("code", equalTo("not_found"));
            as(tenant.token()).delete("/client/v1/" + clientId + "/keys/" + foreign.keyId()).then().statusCode(404)
                    .body("code", equalTo("not_found"));
            as(tenant.token()).delete("/client/v1/" + clientId).then().statusCode(404).body("code", equalTo("not_found"));
        }
        // A key of another client, even of the same organization, is not found under this client.
        ApiClient sibling = apiClient(tenant.token(), "sibling", true);
        as(tenant.token()).delete("/client/v1/" + own.clientId() + "/keys/" + sibling.keyId()).then().statusCode(404);
        as(tenant.token()).delete("/client/v1/" + own.clientId() + "/keys/" + UUID.randomUUID()).then().statusCode(404);
        // The foreign client still works: nothing was done to it.
        withKey(foreign.apiKey(), foreign.apiSecret()).get("/api/v1/projects").then().statusCode(200);
        withKey(sibling.apiKey(), sibling.apiSecret()).get("/api/v1/projects").then().statusCode(200);
    }

    @Test
    void deleteMarksTheClientDeletedAndRevokesItsKeys() throws SQLException {
        ApiClient client = apiClient(tenant.token(), "to delete", true);
        as(tenant.token()).delete("/client/v1/" + client.clientId()).then().statusCode(204);
        try (Connection c = database.connect();
             PreparedStatement st = c.prepareStatement("SELECT c.deleted_at, k.status, k.revoked_at FROM api_client c "
                     + "JOIN api_key k ON k.client_id = c.id WHERE c.id = ?")) {
            st.setObject(1, UUID.fromString(client.clientId()));
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next(), is(true));
                assertThat(rs.getObject("deleted_at"), notNullValue());
                assertThat(rs.getString("status"), is("revoked"));
                assertThat(rs.getObject("revoked_at"), notNullValue());
                assertThat(rs.next(), is(false));
            }
        }
        as(tenant.token()).delete("/client/v1/" + client.clientId()).then().statusCode(404);
        as(tenant.token()).post("/client/v1/" + client.clientId() + "/keys").then().statusCode(404);
    }

    @Test
    void managementNeedsAUserOrAppToken() {
        given().get("/client/v1").then().statusCode(401).body("code", equalTo("unauthorized"));
        json().body(Map.of("name", "anon")).post("/client/v1").then().statusCode(401);
        given().delete("/client/v1/" + UUID.randomUUID()).then().statusCode(401);
    }
}
