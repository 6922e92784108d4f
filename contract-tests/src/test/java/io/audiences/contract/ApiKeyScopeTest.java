package io.audiences.contract;

import java.util.List;
import java.util.Map;

import io.audiences.contract.SpecOperations.Op;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * API key scopes: a client's {@code scope} ({@code read} | {@code read_write}, default {@code read_write}) is set at
 * creation and returned on reads, and every operation that accepts API keys declares the scope it needs in
 * {@code x-required-scope}. A {@code read} key gets 403 {@code insufficient_scope} on each operation that needs
 * {@code read_write} (every one of them, from the contract) and passes on the others.
 */
class ApiKeyScopeTest extends ServerTestBase {

    private Tenant tenant;
    private ApiClient readKey;
    private ApiClient writeKey;

    @BeforeAll
    void createKeys() {
        tenant = tenant("Scopes");
        var read = as(tenant.token()).body(Map.of("name", "Reporting", "scope", "read")).post("/client/v1").then()
                .statusCode(201).body("scope", equalTo("read")).extract().jsonPath();
        readKey = new ApiClient(read.getString("client_id"), read.getString("key_id"), read.getString("api_key"),
                read.getString("api_secret"));
        writeKey = apiClient(tenant.token(), "Sync", true);
    }

    private static String requiredScope(Op op) {
        Object declared = op.operation().getExtensions() == null ? null : op.operation().getExtensions().get("x-required-scope");
        return declared == null ? null : declared.toString();
    }

    static List<Op> keyOperations() {
        return SpecOperations.all().stream().filter(op -> op.accepts("apiKey")).toList();
    }

    static List<Op> writeOperations() {
        return keyOperations().stream().filter(op -> "read_write".equals(requiredScope(op))).toList();
    }

    @Test
    void everyOperationThatAcceptsKeysDeclaresItsScopeAndWritesDocument403() {
        List<String> undeclared = keyOperations().stream()
                .filter(op -> !List.of("read", "read_write").contains(String.valueOf(requiredScope(op)))).map(Op::id).toList();
        assertThat("operations accepting API keys without x-required-scope", undeclared, is(empty()));
        List<String> undocumented = writeOperations().stream().filter(op -> !op.documents(403)).map(Op::id).toList();
        assertThat(undocumented, is(empty()));
        // Every state-changing operation that keys reach needs read_write.
        List<String> writesReadable = keyOperations().stream()
                .filter(op -> !"GET".equals(op.method()) && !"read_write".equals(requiredScope(op))).map(Op::id).toList();
        assertThat(writesReadable, is(empty()));
        assertThat(writeOperations(), hasSize(greaterThanOrEqualTo(6)));
    }

    @Test
    void scopeDefaultsToReadWriteAndIsListed() {
        as(tenant.token()).body(Map.of("name", "Default")).post("/client/v1").then().statusCode(201)
                .body("scope", equalTo("read_write"));
        as(tenant.token()).get("/client/v1").then().statusCode(200)
                .body("clients.find { it.client_id == '" + readKey.clientId() + "' }.scope", equalTo("read"))
                .body("clients.find { it.client_id == '" + writeKey.clientId() + "' }.scope", equalTo("read_write"));
        as(tenant.token()).body(Map.of("name", "Bad", "scope", "admin")).post("/client/v1").then().statusCode(400)
                .body("code", equalTo("validation_failed")).body("errors[0].pointer", equalTo("/scope"));
    }

    private RequestSpecification key(ApiClient client, Op op) {
        RequestSpecification spec = withKey(client.apiKey(), client.apiSecret())
                .header("X-Project-Id", tenant.project().id().toString());
        return op.body() != null ? spec.body("{}") : spec;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writeOperations")
    void aReadKeyIsRefusedOnEveryOperationThatNeedsReadWrite(Op op) {
        Response response = key(readKey, op).request(op.method(), op.samplePath());
        response.then().statusCode(403).contentType("application/problem+json").body("code", equalTo("insufficient_scope"))
                .body("status", equalTo(403));
        // The same request with a read_write key gets past the scope check (to whatever the request deserves).
        assertThat(key(writeKey, op).request(op.method(), op.samplePath()).statusCode(), not(equalTo(403)));
    }

    @Test
    void aReadKeyReadsAndChangesNothing() {
        withKey(readKey.apiKey(), readKey.apiSecret()).get("/api/v1/projects").then().statusCode(200);
        withKey(readKey.apiKey(), readKey.apiSecret()).header("X-Project-Id", tenant.project().id().toString())
                .get("/api/v1/audiences").then().statusCode(200);
        withKey(readKey.apiKey(), readKey.apiSecret()).get("/api/v1/field-catalog").then().statusCode(200);
        withKey(readKey.apiKey(), readKey.apiSecret()).header("X-Project-Id", tenant.project().id().toString())
                .body(Map.of("name", "Nope", "type", "elixir", "filter", Map.of("condition", "and", "rules",
                        List.of(Map.of("fieldName", "seniority_level", "conditionRules",
                                Map.of("operator", "in", "value", List.of("vp")))))))
                .post("/api/v1/audiences").then().statusCode(403).body("code", equalTo("insufficient_scope"));
        Number count = app.database().inTransaction(tx -> tx.get("SELECT count(*) AS n FROM audience WHERE project_id = ?",
                tenant.project().id()).map(r -> r.column("n").get(Number.class)).orElseThrow());
        assertThat(count.longValue(), is(0L));
    }
}
