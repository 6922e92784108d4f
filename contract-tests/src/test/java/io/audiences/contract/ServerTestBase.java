package io.audiences.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.audiences.server.Application;
import io.audiences.server.auth.JwtCodec;
import io.audiences.server.auth.SigningKey;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.Principal;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Starts the real server (the same {@link Application} wiring as {@code Main}) on a random port against a
 * fresh database, and validates every response against {@code openapi.yaml}: status documented, content
 * type documented, body matching its schema. Requests are not validated, so tests can send bad input.
 * Every answer is also tallied by {@link ContractCoverage} for the coverage gate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServerTestBase {

    private static final OpenApiValidationFilter VALIDATION = new OpenApiValidationFilter(
            OpenApiInteractionValidator.createForSpecificationUrl(
                            ServerTestBase.class.getClassLoader().getResource(Contract.RESOURCE).toString())
                    .withLevelResolver(LevelResolver.create()
                            .withLevel("validation.request", ValidationReport.Level.IGNORE)
                            .build())
                    .build());

    /** The organization the test servers name in {@code audiences.taxonomy.reviewer-organizations}. */
    protected static final java.util.UUID REVIEWER_ORGANIZATION = java.util.UUID.fromString("7a5e0000-0000-4000-8000-00000000beef");

    protected Application app;
    protected TestDatabase database;
    protected Path dataDir;

    @BeforeAll
    void startServer() throws IOException {
        database = TestDatabase.create();
        dataDir = Files.createTempDirectory("audiences-test");
        Config config = serverConfig();
        app = Application.create(config, clock()).start(config.get("server"));
    }

    /** The configuration the server runs with (a second instance on the same database and data directory uses it too). */
    protected Config serverConfig() {
        Map<String, String> overrides = new HashMap<>(Map.of(
                "server.port", "0",
                "server.host", "127.0.0.1",
                "audiences.data-dir", dataDir.toString(),
                "audiences.db.url", database.url(),
                "audiences.db.user", database.user(),
                "audiences.db.password", database.password(),
                "audiences.demo.enabled", "false",
                // Every test connects from 127.0.0.1: without this, one class's deliberate failed logins would use up
                // the address's budget for the next. SignInThrottleTest sets its own.
                "audiences.sign-in.address-free", "100000",
                // Suites such as GeneratedRequestsTest queue far more builds for one tenant than two workers finish
                // meanwhile: without this they would meet 429 build_backlog_full. FairBuildsTest sets its own.
                "audiences.builds.backlog", "100000",
                // Topic requests are reviewed by this organization's users (see reviewerToken).
                "audiences.taxonomy.reviewer-organizations", REVIEWER_ORGANIZATION.toString()));
        overrides.putAll(configOverrides());
        return Config.builder()
                .addSource(ConfigSources.create(overrides))
                .addSource(ConfigSources.classpath("application.yaml"))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
    }

    @AfterAll
    void stopServer() {
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.close();
        }
        TestFiles.deleteRecursively(dataDir);
    }

    /** Extra configuration for a test class (rate limits, for example). */
    protected Map<String, String> configOverrides() {
        return Map.of("audiences.rate-limit.per-second", "10000", "audiences.rate-limit.burst", "10000");
    }

    protected Clock clock() {
        return Clock.SYSTEM;
    }

    /** A request to the running server whose response is validated against the contract. */
    protected RequestSpecification given() {
        return validated(app.port());
    }

    /** A request to a server on {@code port} (a packaged server, for example), validated and tallied the same way. */
    static RequestSpecification validated(int port) {
        return RestAssured.given()
                .baseUri("http://127.0.0.1")
                .port(port)
                .filter(VALIDATION)
                .filter(ContractCoverage.FILTER)
                .urlEncodingEnabled(true);
    }

    protected RequestSpecification json() {
        return given().contentType(ContentType.JSON);
    }

    /** A tenant created directly through the services, with a logged-in user. */
    public record Tenant(Organization organization, Project project, String email, String password, String token) { }

    /** Creates a top-level organization with a project and a user, and logs the user in through the API. */
    protected Tenant tenant(String name) {
        return tenant(name, Optional.empty());
    }

    protected Tenant tenant(String name, Optional<String> enterprise) {
        String email = name.toLowerCase().replaceAll("[^a-z0-9]", "") + "-" + System.nanoTime() + "@example.com";
        String password = "password-" + System.nanoTime();
        Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, name, enterprise));
        Project project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), name + " project"));
        app.database().inTransaction(tx -> app.credentials().createUser(tx, org.id(), email, "Test", "User",
                Optional.of(password)));
        return new Tenant(org, project, email, password, login(email, password));
    }

    protected String login(String email, String password) {
        return json().body(Map.of("email", email, "password", password))
                .post("/auth/v1/login").then().statusCode(200).extract().path("token");
    }

    protected RequestSpecification as(String token) {
        return json().header("Authorization", "Bearer " + token);
    }

    /** A request presenting an API key and, when not null, its secret. */
    protected RequestSpecification withKey(String apiKey, String apiSecret) {
        RequestSpecification spec = json().header("X-Api-Key", apiKey);
        return apiSecret == null ? spec : spec.header("X-Api-Secret", apiSecret);
    }

    /** An API client with its first key pair, as returned (once) by {@code POST /client/v1}. */
    public record ApiClient(String clientId, String keyId, String apiKey, String apiSecret) { }

    protected ApiClient apiClient(String token, String name, boolean secretEnforced) {
        var body = as(token).body(Map.of("name", name, "secret_enforced", secretEnforced))
                .post("/client/v1").then().statusCode(201).extract().jsonPath();
        return new ApiClient(body.getString("client_id"), body.getString("key_id"), body.getString("api_key"),
                body.getString("api_secret"));
    }

    /** Creates a child organization through the API; returns its id. */
    protected String childOrganization(String token, String name, String parentId) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name));
        if (parentId != null) {
            body.put("parent_organization_id", parentId);
        }
        return as(token).body(body).post("/api/v1/organizations").then().statusCode(201)
                .extract().path("organization_id");
    }

    /**
     * A new user of {@code organizationId} with {@code password}, and a token of it signed with the server's own key:
     * for tests that spend a user's tokens (logout, password change) many times, without a login round trip each.
     */
    protected String freshUserToken(java.util.UUID organizationId, String password) {
        String email = "fresh-" + java.util.UUID.randomUUID() + "@example.com";
        CredentialService.NewUser user = app.database().inTransaction(tx -> app.credentials().createUser(tx, organizationId,
                email, "Fresh", "User", Optional.of(password)));
        JwtCodec codec = new JwtCodec(SigningKey.resolve(app.settings().jwtSecret(), app.settings().dataDir()),
                java.time.Duration.ofHours(1), clock());
        return codec.issue(new Principal(organizationId, Principal.Kind.USER, user.user().id()), 0);
    }

    /**
     * A fresh token of a user of the taxonomy reviewer organization, which every test server is configured with; the
     * organization is created on first use (top-level, as an operator would bootstrap the platform's own).
     */
    protected String reviewerToken() {
        if (!app.tenancy().isKnown(REVIEWER_ORGANIZATION)) {
            app.database().inTransaction(tx -> {
                new io.audiences.server.tenancy.TenancyStore(app.database()).insertOrganization(tx, REVIEWER_ORGANIZATION,
                        "Taxonomy reviewers", null, null, java.time.Instant.now());
                return null;
            });
        }
        String email = "reviewer-" + System.nanoTime() + "@example.com";
        app.database().inTransaction(tx -> app.credentials().createUser(tx, REVIEWER_ORGANIZATION, email, "Rev", "Iewer",
                Optional.of("reviewer-password")));
        return login(email, "reviewer-password");
    }

    /** Creates a user in {@code organizationId} through the API and returns a fresh login token of that user. */
    protected String userToken(String token, String organizationId) {
        String email = "u" + System.nanoTime() + "@example.com";
        String password = "pw-" + java.util.UUID.randomUUID();
        as(token).body(Map.of("email", email, "first_name", "Test", "last_name", "User",
                        "organization_id", organizationId, "password", password))
                .post("/api/v1/users").then().statusCode(201);
        return login(email, password);
    }
}
