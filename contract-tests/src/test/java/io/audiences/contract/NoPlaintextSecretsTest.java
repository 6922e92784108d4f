package io.audiences.contract;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.audiences.server.platform.SecretHash;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/**
 * After creating API clients (and rotating), apps and users, no table of the database holds any secret or
 * password in plaintext, and app reads never return the app secret. Every create sends an Idempotency-Key and is
 * replayed once, so the stored replies (which carry the secrets shown once) are in the scan too.
 */
class NoPlaintextSecretsTest extends ServerTestBase {

    /** Every plaintext secret handed out, by what it is. */
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private Tenant tenant;
    private String appId;
    private String clientId;
    private String clientSecret;

    @BeforeAll
    void createCredentials() {
        tenant = tenant("Secrets");
        secrets.put("tenant password", tenant.password());

        for (boolean enforced : List.of(true, false)) {
            var client = created("/client/v1", Map.of("name", "client " + enforced, "secret_enforced", enforced));
            secrets.put("api_key " + enforced, client.getString("api_key"));
            secrets.put("api_secret " + enforced, client.getString("api_secret"));
            var rotated = created("/client/v1/" + client.getString("client_id") + "/keys", Map.of("revoke_existing", false));
            secrets.put("rotated api_key " + enforced, rotated.getString("api_key"));
            secrets.put("rotated api_secret " + enforced, rotated.getString("api_secret"));
            // Use both pairs so last_used_at and anything else written on use is in the scan too.
            withKey(client.getString("api_key"), client.getString("api_secret")).get("/api/v1/projects").then().statusCode(200);
            withKey(rotated.getString("api_key"), rotated.getString("api_secret")).get("/api/v1/projects").then()
                    .statusCode(200);
        }

        var app = created("/api/app/create", Map.of("name", "Portal"));
        appId = app.getString("response.app_id");
        clientId = app.getString("response.client_id");
        clientSecret = app.getString("response.client_secret");
        secrets.put("app client_secret", clientSecret);
        var second = as(tenant.token()).body(Map.of("name", "Second portal")).post("/api/app/create").then()
                .statusCode(201).extract().jsonPath();
        secrets.put("second app client_secret", second.getString("response.client_secret"));

        String given = "given-password-" + System.nanoTime();
        created("/api/v1/users", Map.of("email", "given@example.com", "first_name", "Given", "last_name", "Password",
                "password", given));
        secrets.put("given password", given);
        String generated = created("/api/v1/users", Map.of("email", "generated@example.com", "first_name", "Generated",
                "last_name", "Password")).getString("password");
        secrets.put("generated password", generated);

        // A webhook signing secret is sealed, not hashed (signing needs it), and still never stored in the clear.
        String webhookSecret = created("/api/v1/webhooks", Map.of("url", "https://hooks.example.com/secrets",
                "events", List.of("audience.paused"))).getString("secret");
        secrets.put("webhook secret", webhookSecret);
        secrets.put("webhook secret key", webhookSecret.substring("whsec_".length()));
        // Both passwords work, so they are really stored (as hashes).
        login("given@example.com", given);
        String oneTime = login("generated@example.com", generated);

        // The lifecycle's secrets: a rotated app secret (replayed from its stored reply), a replaced one-time
        // password and a wrong password tried at login; all of it lands in the audit log and must not be there.
        String key = UUID.randomUUID().toString();
        String rotated = as(tenant.token()).header("Idempotency-Key", key).post("/api/app/rotate/"
                + second.getString("response.app_id")).then().statusCode(200).extract().asString();
        as(tenant.token()).header("Idempotency-Key", key).post("/api/app/rotate/" + second.getString("response.app_id"))
                .then().statusCode(200).header("Idempotent-Replayed", "true");
        secrets.put("rotated app client_secret", JsonPath.from(rotated).getString("response.client_secret"));
        String replaced = "replaced-password-" + System.nanoTime();
        as(oneTime).body(Map.of("current_password", generated, "new_password", replaced)).post("/api/v1/users/me/password")
                .then().statusCode(204);
        secrets.put("replaced password", replaced);
        String wrong = "wrong-password-" + System.nanoTime();
        json().body(Map.of("email", "given@example.com", "password", wrong)).post("/auth/v1/login").then().statusCode(401);
        secrets.put("wrong password tried", wrong);
    }

    /** POSTs with an Idempotency-Key, then replays it: the stored reply gives the same secrets back. */
    private JsonPath created(String path, Map<String, Object> body) {
        String key = UUID.randomUUID().toString();
        String first = as(tenant.token()).header("Idempotency-Key", key).body(body).post(path).then().statusCode(201)
                .extract().asString();
        String replay = as(tenant.token()).header("Idempotency-Key", key).body(body).post(path).then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().asString();
        assertThat(replay, is(first));
        return JsonPath.from(first);
    }

    /** Every value of every column of every table in the current schema, as text. */
    private Map<String, List<String>> dumpDatabase() throws SQLException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        try (Connection c = database.connect()) {
            DatabaseMetaData meta = c.getMetaData();
            String schema = c.getSchema();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = meta.getTables(c.getCatalog(), schema, "%", null)) {
                while (rs.next()) {
                    String type = rs.getString("TABLE_TYPE").toUpperCase(Locale.ROOT);
                    if (type.equals("TABLE") || type.equals("BASE TABLE") || type.equals("PARTITIONED TABLE")) {
                        tables.add(rs.getString("TABLE_NAME"));
                    }
                }
            }
            for (String table : tables) {
                List<String> cells = new ArrayList<>();
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT * FROM \"" + schema + "\".\"" + table + "\"")) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object value = rs.getObject(i);
                            if (value instanceof byte[] bytes) {
                                cells.add(new String(bytes, StandardCharsets.UTF_8));
                                cells.add(java.util.HexFormat.of().formatHex(bytes));
                            } else if (value != null) {
                                cells.add(value.toString());
                            }
                        }
                    }
                }
                values.put(table.toLowerCase(Locale.ROOT), cells);
            }
        }
        return values;
    }

    @Test
    void noTableHoldsAnySecretInPlaintext() throws SQLException {
        Map<String, List<String>> dump = dumpDatabase();
        assertThat(dump.keySet(), hasItems("flyway_schema_history", "organization", "app_user", "api_client", "api_key",
                "app", "idempotent_request"));
        assertThat(dump.get("idempotent_request"), is(not(empty())));
        assertThat(dump.get("audit_event"), is(not(empty())));
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            for (Map.Entry<String, List<String>> table : dump.entrySet()) {
                for (String cell : table.getValue()) {
                    if (cell.contains(secret.getValue())) {
                        found.add(secret.getKey() + " in table " + table.getKey());
                    }
                    String lower = cell.toLowerCase(Locale.ROOT);
                    if (!lower.equals(cell) && lower.contains(secret.getValue().toLowerCase(Locale.ROOT))) {
                        found.add(secret.getKey() + " (other case) in table " + table.getKey());
                    }
                }
            }
        }
        assertThat(found, is(empty()));
    }

    @Test
    void theScanSeesTheStoredHashes() throws SQLException {
        // Positive control: what is stored instead of the plaintext is found by the same scan.
        Map<String, List<String>> dump = dumpDatabase();
        for (String name : List.of("api_key true", "api_secret true", "rotated api_secret false")) {
            assertThat(name, dump.get("api_key"), org.hamcrest.Matchers.hasItem(SecretHash.sha256(secrets.get(name))));
        }
        assertThat(dump.get("app"), org.hamcrest.Matchers.hasItem(SecretHash.sha256(clientSecret)));
        assertThat(dump.get("app"), org.hamcrest.Matchers.hasItem(clientId));
        assertThat(dump.get("app_user").stream().filter(v -> v.startsWith("$argon2id$")).count(), is(3L));
    }

    @Test
    void appReadsNeverContainTheSecret() {
        String list = as(tenant.token()).get("/api/app/get").then().statusCode(200)
                .body("response.total", equalTo(2))
                .body("response.apps.find { it.app_id == '" + appId + "' }.secret.client_id", equalTo(clientId))
                .extract().asString();
        String one = as(tenant.token()).get("/api/app/retrieve/" + appId).then().statusCode(200)
                .body("response.app.app_id", equalTo(appId))
                .body("response.app.secret.client_id", equalTo(clientId))
                .body("response.app.secret.keySet()", equalTo(Set.of("client_id")))
                .extract().asString();
        for (String body : List.of(list, one)) {
            assertThat(body, not(containsString("client_secret")));
            assertThat(body, not(containsString(clientSecret)));
            assertThat(body, not(containsString(clientSecret.substring("secret_".length()))));
            assertThat(body, not(containsString(SecretHash.sha256(clientSecret))));
            assertThat(body, not(containsString("secret_hash")));
        }
    }

    @Test
    void issueWorksWithTheRightSecretOnly() {
        String token = given().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", clientSecret)
                .post("/auth/issue").then().statusCode(200)
                .body("response.app_id", equalTo(appId))
                .body("response.organization_id", equalTo(tenant.organization().id().toString()))
                .body("response.token_type", equalTo("Bearer"))
                .extract().path("response.token");
        assertThat(token, notNullValue());
        as(token).get("/api/app/get").then().statusCode(200);
        for (String wrong : List.of(clientSecret + "x", clientSecret.toUpperCase(Locale.ROOT), "secret_",
                SecretHash.sha256(clientSecret), secrets.get("second app client_secret"))) {
            given().header("X-Delivr-Client-ID", clientId).header("X-Delivr-Client-Secret", wrong)
                    .post("/auth/issue").then().statusCode(401).contentType("application/problem+json")
                    .body("code", equalTo("invalid_credentials"));
        }
        given().header("X-Delivr-Client-ID", clientId).post("/auth/issue").then().statusCode(401);
        given().post("/auth/issue").then().statusCode(401);
    }
}
