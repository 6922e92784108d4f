package io.audiences.sdkcheck;

import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.audiences.client.ApiClient;
import io.audiences.client.ApiException;
import io.audiences.client.api.ApiClientsApi;
import io.audiences.client.api.AppsApi;
import io.audiences.client.api.AuditApi;
import io.audiences.client.api.AudiencesApi;
import io.audiences.client.api.AuthenticationApi;
import io.audiences.client.api.ProjectsApi;
import io.audiences.client.api.SystemApi;
import io.audiences.client.api.UsersApi;
import io.audiences.client.api.WebhooksApi;
import io.audiences.client.model.ApiClientCreateRequest;
import io.audiences.client.model.ApiClientCreated;
import io.audiences.client.model.ApiClientList;
import io.audiences.client.model.ApiKeyScope;
import io.audiences.client.model.AppCreateRequest;
import io.audiences.client.model.AppCreated;
import io.audiences.client.model.Audience;
import io.audiences.client.model.AudienceCreateRequest;
import io.audiences.client.model.AudienceList;
import io.audiences.client.model.AudienceSample;
import io.audiences.client.model.AudienceStatus;
import io.audiences.client.model.AudienceType;
import io.audiences.client.model.ConditionRules;
import io.audiences.client.model.FilterEntry;
import io.audiences.client.model.FilterGroup;
import io.audiences.client.model.FilterOperator;
import io.audiences.client.model.LoginRequest;
import io.audiences.client.model.LoginResponse;
import io.audiences.client.model.PasswordChangeRequest;
import io.audiences.client.model.Problem;
import io.audiences.client.model.Project;
import io.audiences.client.model.UserCreateRequest;
import io.audiences.client.model.UserCreated;
import io.audiences.client.model.UserStatus;
import io.audiences.client.model.UserUpdateRequest;
import io.audiences.client.model.WebhookCreateRequest;
import io.audiences.client.model.WebhookCreated;
import io.audiences.client.model.WebhookEventType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * The consumer scenario of bin/sdk-check, written only against the Java client that OpenAPI Generator makes
 * from openapi.yaml: log in, register a webhook for completed builds on a local listener, and with the JWT and then
 * with the API key pair create a persona audience, wait for its signed {@code audience.build.completed} event
 * (instead of polling), list, sample and download it, and read a problem+json error; with the JWT also list the API
 * clients (LegacyTimestamp strings) and read the project, then walk the credential lifecycle (a read-only key refused a
 * write, a one-time password replaced, logout, disable, delete, throttled wrong passwords, an app rotated and deleted,
 * each found in the audit log). Any failure exits non-zero.
 *
 * <p>Arguments: the server's base URI and the path of its demo-credentials.json.
 */
public final class Scenario {

    private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One webhook request the listener received. */
    private record Received(String id, String timestamp, String signature, String body) { }

    /** Receives the server's webhooks (the server must allow loopback targets: bin/sdk-check starts it so). */
    private static final class Listener {
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        private final HttpServer server;
        private String secret;

        Listener() throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/webhooks", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    var h = exchange.getRequestHeaders();
                    received.add(new Received(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                            h.getFirst("webhook-signature"), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks");
        }

        /** Waits for the signed completion event of {@code audienceId}; events of other audiences are skipped. */
        JsonNode awaitCompleted(long audienceId) throws Exception {
            Instant deadline = Instant.now().plus(BUILD_TIMEOUT);
            while (Instant.now().isBefore(deadline)) {
                Received r = received.poll(500, TimeUnit.MILLISECONDS);
                if (r == null) {
                    continue;
                }
                check(r.signature().equals(sign(r)), "webhook signature does not verify: " + r);
                JsonNode event = JSON.readTree(r.body());
                if (event.get("data").get("audience_id").asLong() == audienceId) {
                    check("audience.build.completed".equals(event.get("type").asText()), "event " + r.body());
                    return event;
                }
            }
            throw new AssertionError("no audience.build.completed webhook for audience " + audienceId + " within "
                    + BUILD_TIMEOUT);
        }

        /** Standard Webhooks: v1, base64 HMAC-SHA256 of id.timestamp.body under the secret's bytes. */
        private String sign(Received r) throws Exception {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(
                    (r.id() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
        }

        void close() {
            server.stop(0);
        }
    }

    private Scenario() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: Scenario <base-uri> <demo-credentials.json>");
        }
        String baseUri = args[0];
        JsonNode credentials = new ObjectMapper().readTree(Path.of(args[1]).toFile());
        UUID projectId = UUID.fromString(credentials.get("project_id").asText());

        // 1. Log in (no credentials on this call), then use the JWT as a Bearer token.
        LoginResponse login = new AuthenticationApi(client(baseUri, builder -> { }))
                .login(new LoginRequest()
                        .email(credentials.get("email").asText())
                        .password(credentials.get("password").asText()));
        check(login.getToken() != null && !login.getToken().isBlank(), "login returned no token");
        String token = login.getToken();
        ApiClient bearer = client(baseUri, b -> b.setHeader("Authorization", "Bearer " + token));

        // Builds are announced by webhook: register the local listener for completed builds (the secret is shown once).
        Listener listener = new Listener();
        WebhookCreated webhook = new WebhooksApi(bearer).createWebhook(new WebhookCreateRequest()
                .url(listener.uri())
                .events(Set.of(WebhookEventType.AUDIENCE_BUILD_COMPLETED)), null);
        check(webhook.getSecret() != null && webhook.getSecret().startsWith("whsec_"), "webhook secret " + webhook.getSecret());
        listener.secret = webhook.getSecret();
        System.out.printf("java [webhooks]: registered %s for %s%n", webhook.getUrl(), webhook.getEvents());

        run("bearer JWT", bearer, projectId, listener);

        // Management reads with the JWT: API clients carry LegacyTimestamp strings (YYYY-MM-DD HH:MM:SS).
        ApiClientList clients = new ApiClientsApi(bearer).listApiClients(null, null);
        check(!clients.getClients().isEmpty(), "no API clients listed");
        check(clients.getClients().get(0).getCreatedAt().matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"),
                "API client created_at is not a LegacyTimestamp: " + clients.getClients().get(0).getCreatedAt());
        Project project = new ProjectsApi(bearer).getProject(projectId);
        check(projectId.equals(project.getProjectId()) && project.getCreatedAt() != null, "project " + project);
        System.out.printf("java [management]: %d API clients, project %s created %s%n", clients.getClients().size(),
                project.getName(), project.getCreatedAt());

        // The contract itself (YAML) and the docs page (HTML) arrive as files, not as JSON-parsed strings.
        String contract = Files.readString(new SystemApi(bearer).getOpenApi().toPath(), StandardCharsets.UTF_8);
        check(contract.startsWith("openapi: 3.0.3"), "GET /openapi is not the YAML contract");
        String page = Files.readString(new SystemApi(bearer).getApiDocs().toPath(), StandardCharsets.UTF_8);
        check(page.contains("swagger-ui"), "GET /docs is not the Swagger UI page");
        System.out.printf("java [system]: contract %d bytes, docs page %d bytes%n", contract.length(), page.length());

        // 2. The API key pair.
        String key = credentials.get("api_key").asText();
        String secret = credentials.get("api_secret").asText();
        run("API key pair", client(baseUri, b -> b.setHeader("X-Api-Key", key).setHeader("X-Api-Secret", secret)),
                projectId, listener);
        listener.close();

        credentialLifecycle(baseUri, bearer, projectId);
        System.out.println("java sdk-check: OK");
    }

    /** A call expected to fail with a documented problem. */
    @FunctionalInterface
    private interface Call {
        void run() throws ApiException;
    }

    /** Expects {@code call} to fail with this status and problem code; returns the failure. */
    private static ApiException expectProblem(Call call, int status, String code) throws Exception {
        try {
            call.run();
        } catch (ApiException e) {
            String actual = JSON.readTree(e.getResponseBody()).path("code").asText();
            check(e.getCode() == status && code.equals(actual),
                    "expected " + status + " " + code + ", got " + e.getCode() + " " + e.getResponseBody());
            return e;
        }
        throw new AssertionError("expected " + status + " " + code + ", the call succeeded");
    }

    /**
     * With an admin's JWT: a read-only API key cannot write (403 insufficient_scope); a user's one-time password must
     * be replaced first (401 password_change_required), and the change, a logout, disabling and deleting it each end
     * its tokens; wrong passwords end in 429 too_many_attempts with Retry-After; an app's rotated secret ends its old
     * token and a deleted app gets none; the audit log shows each change and no secret.
     */
    private static void credentialLifecycle(String baseUri, ApiClient admin, UUID projectId) throws Exception {
        long stamp = System.currentTimeMillis();
        ApiClientCreated reader = new ApiClientsApi(admin).createApiClient(new ApiClientCreateRequest()
                .name("SDK reader " + stamp).scope(ApiKeyScope.READ), null);
        check(reader.getScope() == ApiKeyScope.READ, "client scope " + reader.getScope());
        AudiencesApi readOnly = new AudiencesApi(client(baseUri,
                b -> b.setHeader("X-Api-Key", reader.getApiKey()).setHeader("X-Api-Secret", reader.getApiSecret())));
        readOnly.listAudiences(projectId, null, 1, null, null, null, null, null);
        expectProblem(() -> readOnly.createAudience(new AudienceCreateRequest().name("SDK refused")
                .type(AudienceType.ELIXIR).filter(new FilterGroup().condition(FilterGroup.ConditionEnum.AND)
                        .rules(List.of(new FilterEntry().fieldName("seniority_level").conditionRules(
                                new ConditionRules().operator(FilterOperator.IN).value(List.of("vp")))))),
                projectId, null, null), 403, "insufficient_scope");

        UsersApi users = new UsersApi(admin);
        AuthenticationApi auth = new AuthenticationApi(client(baseUri, b -> { }));
        UserCreated ana = users.createUser(new UserCreateRequest().email("ana." + stamp + "@example.com")
                .firstName("Ana").lastName("Ruiz"), null);
        check(ana.getPassword() != null, "no one-time password returned");
        LoginResponse first = auth.login(new LoginRequest().email(ana.getEmail()).password(ana.getPassword()));
        check(first.getPasswordChangeRequired(), "a one-time password login must require a password change");
        ApiClient firstToken = client(baseUri, b -> b.setHeader("Authorization", "Bearer " + first.getToken()));
        expectProblem(() -> new AudiencesApi(firstToken).listAudiences(projectId, null, 1, null, null, null, null, null), 401,
                "password_change_required");
        String newPassword = "correct-horse-" + stamp;
        new UsersApi(firstToken).changePassword(new PasswordChangeRequest().currentPassword(ana.getPassword())
                .newPassword(newPassword));
        LoginResponse second = auth.login(new LoginRequest().email(ana.getEmail()).password(newPassword));
        check(!second.getPasswordChangeRequired(), "the replaced password still requires a change");
        ApiClient secondToken = client(baseUri, b -> b.setHeader("Authorization", "Bearer " + second.getToken()));
        new AudiencesApi(secondToken).listAudiences(projectId, null, 1, null, null, null, null, null);
        new AuthenticationApi(secondToken).logout();
        expectProblem(() -> new AudiencesApi(secondToken).listAudiences(projectId, null, 1, null, null, null, null, null), 401,
                "unauthorized");
        // The trailing null is If-Match: these changes are unconditional.
        check(users.updateUser(ana.getUserId(), new UserUpdateRequest().status(UserStatus.DISABLED), null).getStatus()
                == UserStatus.DISABLED, "user not disabled");
        expectProblem(() -> auth.login(new LoginRequest().email(ana.getEmail()).password(newPassword)), 401,
                "user_disabled");
        users.deleteUser(ana.getUserId(), null);
        expectProblem(() -> users.deleteUser(ana.getUserId(), null), 404, "not_found");

        UserCreated bo = users.createUser(new UserCreateRequest().email("bo." + stamp + "@example.com")
                .firstName("Bo").lastName("Lind").password("bo-password-" + stamp), null);
        ApiException throttled = null;
        for (int attempt = 1; attempt <= 10 && throttled == null; attempt++) {
            try {
                auth.login(new LoginRequest().email(bo.getEmail()).password("wrong-password-" + attempt));
                throw new AssertionError("a wrong password logged in");
            } catch (ApiException e) {
                String code = JSON.readTree(e.getResponseBody()).path("code").asText();
                if (e.getCode() == 429) {
                    check("too_many_attempts".equals(code), "429 with code " + code);
                    throttled = e;
                } else {
                    check(e.getCode() == 401 && "invalid_credentials".equals(code), "attempt " + attempt + ": "
                            + e.getCode() + " " + code);
                }
            }
        }
        check(throttled != null, "ten wrong passwords in a row were never throttled");
        String retryAfter = throttled.getResponseHeaders().firstValue("Retry-After").orElse("0");
        check(Long.parseLong(retryAfter) > 0, "a 429 too_many_attempts without Retry-After");

        AppsApi apps = new AppsApi(admin);
        AppCreated app = apps.createApp(new AppCreateRequest().name("SDK app " + stamp), null).getResponse();
        String appToken = issue(baseUri, app.getClientId(), app.getClientSecret()).issueAppToken().getResponse().getToken();
        AppsApi asApp = new AppsApi(client(baseUri, b -> b.setHeader("Authorization", "Bearer " + appToken)));
        asApp.listApps(null, null);
        AppCreated rotated = apps.rotateAppSecret(app.getAppId(), null).getResponse();
        expectProblem(() -> asApp.listApps(null, null), 401, "unauthorized");
        expectProblem(() -> issue(baseUri, app.getClientId(), app.getClientSecret()).issueAppToken(), 401,
                "invalid_credentials");
        issue(baseUri, rotated.getClientId(), rotated.getClientSecret()).issueAppToken();
        apps.deleteApp(app.getAppId(), null);
        expectProblem(() -> issue(baseUri, rotated.getClientId(), rotated.getClientSecret()).issueAppToken(), 401,
                "invalid_credentials");

        AuditApi audit = new AuditApi(admin);
        List<List<String>> expected = List.of(List.of("api_client.created", reader.getClientId().toString()),
                List.of("user.password_changed", ana.getUserId().toString()),
                List.of("user.logged_out", ana.getUserId().toString()),
                List.of("user.disabled", ana.getUserId().toString()),
                List.of("user.deleted", ana.getUserId().toString()),
                List.of("user.sign_in_throttled", bo.getUserId().toString()),
                List.of("app.secret_rotated", app.getAppId().toString()),
                List.of("app.deleted", app.getAppId().toString()));
        for (List<String> e : expected) {
            check(!audit.listAuditEvents(10, null, e.get(0), e.get(1), null).getEvents().isEmpty(),
                    "no " + e.get(0) + " event for " + e.get(1) + " in the audit log");
        }
        String everything = admin.getObjectMapper().writeValueAsString(audit.listAuditEvents(200, null, null, null, null).getEvents());
        check(!everything.contains(rotated.getClientSecret()) && !everything.contains(newPassword),
                "a secret is in the audit log");
        System.out.printf("java [credentials]: read-only key refused a write, one-time password replaced, logout, "
                + "disable, delete, throttled after wrong passwords (Retry-After %s s), app rotated and deleted, "
                + "%d audit actions found%n", retryAfter, expected.size());
    }

    /** The client-credentials exchange of an app (POST /auth/issue with its id and secret). */
    private static AuthenticationApi issue(String baseUri, String clientId, String clientSecret) {
        return new AuthenticationApi(client(baseUri,
                b -> b.setHeader("X-Delivr-Client-ID", clientId).setHeader("X-Delivr-Client-Secret", clientSecret)));
    }

    private static ApiClient client(String baseUri, Consumer<java.net.http.HttpRequest.Builder> auth) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(baseUri);
        client.setReadTimeout(Duration.ofSeconds(30));
        client.setRequestInterceptor(auth);
        return client;
    }

    private static void run(String auth, ApiClient client, UUID projectId, Listener listener) throws Exception {
        AudiencesApi audiences = new AudiencesApi(client);
        AudienceCreateRequest request = new AudienceCreateRequest()
                .name("SDK persona (Java, " + auth + ")")
                .type(AudienceType.ELIXIR)
                .filter(new FilterGroup()
                        .condition(FilterGroup.ConditionEnum.AND)
                        .rules(List.of(new FilterEntry()
                                .fieldName("seniority_level")
                                .conditionRules(new ConditionRules()
                                        .operator(FilterOperator.IN)
                                        .value(List.of("vp"))))));
        Audience created = audiences.createAudience(request, projectId, null, null);
        check(created.getId() != null && created.getId() > 0, "created audience has no id");
        check(created.getType() == AudienceType.ELIXIR, "created audience type " + created.getType());
        check(created.getCreatedAt() != null, "created audience has no created_at");
        System.out.printf("java [%s]: created audience %d (%s)%n", auth, created.getId(), created.getStatus());

        // No polling: the server pushes the completion, signed; one read then shows the result.
        JsonNode event = listener.awaitCompleted(created.getId());
        Audience audience = audiences.getAudience(created.getId(), projectId, null, null);
        check(audience.getStatus() == AudienceStatus.COMPLETED, "webhook said completed, audience is " + audience.getStatus());
        check(event.get("data").get("record_count").asLong() == audience.getRecordCount(),
                "webhook record_count " + event.get("data").get("record_count") + " != " + audience.getRecordCount());
        System.out.printf("java [%s]: Completed, record_count=%d, distinct_profile_count=%d, last_built_at=%s%n",
                auth, audience.getRecordCount(), audience.getDistinctProfileCount(), audience.getLastBuiltAt());

        AudienceList list = audiences.listAudiences(projectId, null, 100, null, null, null, null, null);
        check(list.getAudiences().stream().anyMatch(a -> a.getId().equals(created.getId())),
                "created audience missing from the list");

        AudienceSample sample = audiences.getAudienceSample(created.getId(), projectId, null, 5);
        check(sample.getContacts() != null, "sample has no contacts array");
        check(sample.getBuildId() != null, "sample has no build_id");
        System.out.printf("java [%s]: sample of build %s, %d contacts%n", auth, sample.getBuildId(),
                sample.getContacts().size());

        File download = audiences.downloadAudience(created.getId(), projectId, null, null, null, null, null, null);
        String csv = Files.readString(download.toPath(), StandardCharsets.UTF_8);
        Files.deleteIfExists(download.toPath());
        check(csv.startsWith("record_id,profile_id,"), "download is not the CSV with its header row: " + csv);
        System.out.printf("java [%s]: downloaded %d bytes of CSV%n", auth, csv.length());

        // A documented error arrives as problem+json and deserializes into the Problem model.
        try {
            audiences.getAudience(Long.MAX_VALUE, projectId, null, null);
            throw new AssertionError("expected 404 for an unknown audience");
        } catch (ApiException e) {
            check(e.getCode() == 404, "expected 404, got " + e.getCode());
            Problem problem = client.getObjectMapper().readValue(e.getResponseBody(), Problem.class);
            check("not_found".equals(problem.getCode()) && problem.getStatus() == 404,
                    "unexpected problem: " + e.getResponseBody());
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
