package io.audiences.contract;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.restassured.response.Response;
import io.swagger.v3.oas.models.media.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.ObjectMapper;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * Every operation of {@code openapi.yaml} with a JSON request body, fed malformed JSON, wrong types,
 * missing required fields, unknown properties, a wrong content type and an oversized body: each answer is
 * the documented 4xx problem+json with a code and, for schema violations, a pointer naming the field.
 */
class BadInputTest extends ServerTestBase {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    /** One bad request and the answer it must get. */
    record Case(String name, String method, String path, String contentType, String body, int status, String code,
                String pointer, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    record BodyOperation(String id, String method, String path, boolean required, Schema<?> schema) { }

    private Tenant tenant;
    private String appClientId;
    private String appClientSecret;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Bad input");
        var created = as(tenant.token()).body(Map.of("name", "Bad input app")).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        appClientId = created.getString("response.client_id");
        appClientSecret = created.getString("response.client_secret");
    }

    static List<BodyOperation> bodyOperations() {
        return SpecOperations.all().stream().filter(op -> op.body() != null)
                .map(op -> new BodyOperation(op.id(), op.method(), op.template(), op.bodyRequired(), op.body())).toList();
    }

    @Test
    void theSpecHasTheExpectedBodyOperations() {
        assertThat(bodyOperations().stream().map(BodyOperation::id).sorted().toList(), equalTo(List.of(
                "changePassword", "createApiClient", "createApp", "createAudience", "createOrganization", "createProject",
                "createTopicRequest", "createTopicReview", "createUser", "createWebhook", "login", "publicCoreChangePassword",
                "publicCoreCreateApp", "publicCoreCreateOrganization", "publicCoreCreateProject", "publicCoreCreateUser",
                "publicCoreUpdateOrganization", "publicCoreUpdateProject", "publicCoreUpdateUser", "rotateApiKey",
                "updateApiClient", "updateAudience", "updateOrganization", "updateProject", "updateTopicRequest",
                "updateUser")));
    }

    static Stream<Case> cases() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (BodyOperation op : bodyOperations()) {
            String prefix = op.id() + ": ";
            Map<String, Schema> properties = op.schema().getProperties();
            List<String> required = op.schema().getRequired() == null ? List.of() : op.schema().getRequired();
            Map<String, Object> valid = new LinkedHashMap<>();
            for (String name : required) {
                valid.put(name, validValue(properties.get(name)));
            }
            String json = "application/json";

            cases.add(new Case(prefix + "malformed JSON", op.method(), op.path(), json, "{\"name\": ", 400,
                    "malformed_json", "/", null));
            cases.add(new Case(prefix + "truncated JSON", op.method(), op.path(), json,
                    MAPPER.writeValueAsString(valid).replaceAll("}$", ""), 400, "malformed_json", "/", null));
            cases.add(new Case(prefix + "array instead of object", op.method(), op.path(), json, "[]", 400,
                    "validation_failed", "/", null));
            cases.add(new Case(prefix + "string instead of object", op.method(), op.path(), json, "\"text\"", 400,
                    "validation_failed", "/", null));
            for (String property : properties.keySet()) {
                Map<String, Object> body = new LinkedHashMap<>(valid);
                body.put(property, wrongType(properties.get(property)));
                cases.add(new Case(prefix + "wrong type for " + property, op.method(), op.path(), json,
                        MAPPER.writeValueAsString(body), 400, "validation_failed", "/" + property, null));
                if (properties.get(property).getEnum() != null) {
                    body.put(property, "no-such-value");
                    cases.add(new Case(prefix + "unknown enum value for " + property, op.method(), op.path(), json,
                            MAPPER.writeValueAsString(body), 400, "validation_failed", "/" + property, null));
                }
            }
            for (String missing : required) {
                Map<String, Object> body = new LinkedHashMap<>(valid);
                body.remove(missing);
                cases.add(new Case(prefix + "missing " + missing, op.method(), op.path(), json,
                        MAPPER.writeValueAsString(body), 400, "validation_failed", "/" + missing,
                        "required property is missing"));
            }
            Map<String, Object> unknown = new LinkedHashMap<>(valid);
            unknown.put("unexpected_field", 1);
            cases.add(new Case(prefix + "unknown property", op.method(), op.path(), json,
                    MAPPER.writeValueAsString(unknown), 400, "validation_failed", "/unexpected_field", "unknown property"));
            if (op.schema().getMinProperties() != null && op.schema().getMinProperties() > 0) {
                cases.add(new Case(prefix + "empty object", op.method(), op.path(), json, "{}", 400,
                        "validation_failed", "/", null));
            }
            if (op.required()) {
                cases.add(new Case(prefix + "no body", op.method(), op.path(), json, "", 400, "body_required", "/",
                        null));
            }
            cases.add(new Case(prefix + "text/plain", op.method(), op.path(), "text/plain",
                    MAPPER.writeValueAsString(valid.isEmpty() ? Map.of("revoke_existing", true) : valid), 415,
                    "unsupported_media_type", null, null));
            cases.add(new Case(prefix + "form encoded", op.method(), op.path(), "application/x-www-form-urlencoded",
                    "name=x", 415, "unsupported_media_type", null, null));
            cases.add(new Case(prefix + "body over 1 MiB", op.method(), op.path(), json,
                    "{\"name\":\"" + "a".repeat((1 << 20) + 16) + "\"}", 413, "payload_too_large", null, null));
        }
        return cases.stream();
    }

    private static Object validValue(Schema<?> schema) {
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
            return schema.getEnum().getFirst().toString();
        }
        String type = schema.getType() != null ? schema.getType() : "string";
        return switch (type) {
            case "boolean" -> true;
            case "integer", "number" -> 1;
            case "array" -> List.of(validValue(schema.getItems()));
            default -> {
                if ("uri".equals(schema.getFormat())) {
                    yield "https://hooks.example.com/" + UUID.randomUUID();
                }
                if ("email".equals(schema.getFormat())) {
                    yield "valid-" + UUID.randomUUID() + "@example.com";
                }
                if ("uuid".equals(schema.getFormat())) {
                    yield UUID.randomUUID().toString();
                }
                yield "x".repeat(Math.max(schema.getMinLength() == null ? 1 : schema.getMinLength(), 1));
            }
        };
    }

    private static Object wrongType(Schema<?> schema) {
        String type = schema.getType() != null ? schema.getType() : "string";
        return switch (type) {
            case "boolean" -> "yes";
            case "integer", "number" -> "one";
            default -> 12345;
        };
    }

    private String concretePath(String template) {
        Matcher m = PATH_PARAM.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "organization_id" -> tenant.organization().id().toString();
                case "project_id" -> tenant.project().id().toString();
                case "audience_id" -> "1";
                default -> UUID.randomUUID().toString();
            };
            m.appendReplacement(sb, value);
        }
        m.appendTail(sb);
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGetsTheDocumented4xx(Case c) {
        // Audience operations are project-scoped; the header is ignored by the others.
        var spec = given().header("Authorization", "Bearer " + tenant.token())
                .header("X-Project-Id", tenant.project().id().toString()).contentType(c.contentType());
        if (!c.body().isEmpty()) {
            spec.body(c.body());
        }
        if (c.path().startsWith("/public/core/")) {
            // Public Core: the app credentials beside the JWT, so that what is checked is the input.
            spec.header("X-Delivr-Client-ID", appClientId).header("X-Delivr-Client-Secret", appClientSecret);
        }
        Response response = spec.request(c.method(), concretePath(c.path()));
        response.then().statusCode(c.status())
                .contentType("application/problem+json")
                .body("status", equalTo(c.status()))
                .body("code", equalTo(c.code()))
                .body("request_id", notNullValue());
        if (c.pointer() != null) {
            response.then().body("errors.size()", greaterThan(0)).body("errors.pointer", hasItem(c.pointer()));
        }
        if (c.detail() != null) {
            response.then().body("errors.find { it.pointer == '" + c.pointer() + "' }.detail", equalTo(c.detail()));
        }
    }

    @Test
    void badInputChangesNothing() {
        as(tenant.token()).get("/api/v1/organizations").then().statusCode(200)
                .body("organizations.organization_id", equalTo(List.of(tenant.organization().id().toString())))
                .body("organizations[0].name", equalTo("Bad input"))
                .body("organizations[0].status", equalTo("active"));
        as(tenant.token()).get("/api/v1/projects").then().statusCode(200)
                .body("projects.project_id", equalTo(List.of(tenant.project().id().toString())))
                .body("projects[0].name", equalTo("Bad input project"));
        as(tenant.token()).get("/client/v1").then().statusCode(200).body("total", equalTo(0));
        // Only the app createTenant made on purpose (its credentials go beside the JWT under /public/core).
        as(tenant.token()).get("/api/app/get").then().statusCode(200).body("response.total", equalTo(1));
    }

    @Test
    void badParametersAre400NamingTheParameter() {
        for (String path : List.of("/api/v1/organizations/not-a-uuid", "/api/v1/projects/not-a-uuid",
                "/api/app/retrieve/not-a-uuid")) {
            as(tenant.token()).get(path).then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", notNullValue());
        }
        for (String limit : List.of("0", "201", "ten", "-1")) {
            as(tenant.token()).queryParam("limit", limit).get("/api/v1/organizations").then().statusCode(400)
                    .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("limit"));
            as(tenant.token()).queryParam("limit", limit).get("/api/v1/projects").then().statusCode(400)
                    .body("errors[0].pointer", equalTo("limit"));
        }
        for (String cursor : List.of("garbage!", "x".repeat(201), java.util.Base64.getUrlEncoder()
                .encodeToString("s:notanumber".getBytes()))) {
            as(tenant.token()).queryParam("cursor", cursor).get("/api/v1/organizations").then().statusCode(400)
                    .body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("cursor"));
        }
        as(tenant.token()).delete("/client/v1/not-a-uuid").then().statusCode(400)
                .body("errors[0].pointer", equalTo("client_id"));
        as(tenant.token()).delete("/client/v1/" + UUID.randomUUID() + "/keys/not-a-uuid").then().statusCode(400)
                .body("errors[0].pointer", equalTo("key_id"));
    }

    static List<SpecOperations.Op> allOperations() {
        return SpecOperations.all();
    }

    /**
     * A body beyond the web server's own limit (server.max-payload-size, 2 MiB) is refused before routing, on
     * every operation, including those that take no body; the answer must still be the documented 413
     * problem+json. A raw socket announces the length and waits for the answer without sending the body.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allOperations")
    void bodyBeyondTheWebServersLimitIs413ProblemJsonOnEveryOperation(SpecOperations.Op op) throws Exception {
        String path = op.samplePath();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(10_000);
            String head = op.method() + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + tenant.token() + "\r\nContent-Type: application/json\r\nContent-Length: " + (3 << 20)
                    + "\r\nExpect: 100-continue\r\nX-Request-Id: too-big-1\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
            while (!headBytes.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                headBytes.write(b);
            }
            String responseHead = headBytes.toString(StandardCharsets.US_ASCII);
            Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(responseHead);
            assertThat(responseHead, length.find(), equalTo(true));
            String body = new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
            assertThat(responseHead, startsWith("HTTP/1.1 413"));
            ContractCoverage.record(op.method(), path, 413);
            String lowerHead = responseHead.toLowerCase(Locale.ROOT);
            assertThat(lowerHead, containsString("content-type: application/problem+json"));
            assertThat(lowerHead, containsString("x-request-id: too-big-1"));
            var problem = MAPPER.readTree(body);
            assertThat(problem.get("status").asInt(), equalTo(413));
            assertThat(problem.get("code").asString(), equalTo("payload_too_large"));
            assertThat(problem.get("request_id").asString(), equalTo("too-big-1"));
            assertThat(problem.get("type").asString(), equalTo("/docs/errors#payload_too_large"));
        }
    }
}
