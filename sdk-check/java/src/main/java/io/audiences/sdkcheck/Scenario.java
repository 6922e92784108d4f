package io.audiences.sdkcheck;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import io.audiences.client.ApiClient;
import io.audiences.client.ApiException;
import io.audiences.client.api.ApiClientsApi;
import io.audiences.client.api.AudiencesApi;
import io.audiences.client.api.AuthenticationApi;
import io.audiences.client.api.ProjectsApi;
import io.audiences.client.api.SystemApi;
import io.audiences.client.model.ApiClientList;
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
import io.audiences.client.model.Problem;
import io.audiences.client.model.Project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The consumer scenario of bin/sdk-check, written only against the Java client that OpenAPI Generator makes
 * from openapi.yaml: log in, and with the JWT and then with the API key pair create a persona audience, poll it
 * until Completed, list, sample and download it, and read a problem+json error; with the JWT also list the API
 * clients (LegacyTimestamp strings) and read the project. Any failure exits non-zero.
 *
 * <p>Arguments: the server's base URI and the path of its demo-credentials.json.
 */
public final class Scenario {

    private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(90);

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
        run("bearer JWT", bearer, projectId);

        // Management reads with the JWT: API clients carry LegacyTimestamp strings (YYYY-MM-DD HH:MM:SS).
        ApiClientList clients = new ApiClientsApi(bearer).listApiClients();
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
                projectId);

        System.out.println("java sdk-check: OK");
    }

    private static ApiClient client(String baseUri, Consumer<java.net.http.HttpRequest.Builder> auth) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(baseUri);
        client.setReadTimeout(Duration.ofSeconds(30));
        client.setRequestInterceptor(auth);
        return client;
    }

    private static void run(String auth, ApiClient client, UUID projectId) throws Exception {
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

        Audience audience = created;
        Instant deadline = Instant.now().plus(BUILD_TIMEOUT);
        while (audience.getStatus() != AudienceStatus.COMPLETED) {
            check(audience.getStatus() != AudienceStatus.FAILED, "build failed: " + audience.getError());
            check(audience.getStatus() != AudienceStatus.UNKNOWN_DEFAULT_OPEN_API, "unknown status");
            check(Instant.now().isBefore(deadline), "not Completed after " + BUILD_TIMEOUT + ": " + audience.getStatus());
            Thread.sleep(500);
            audience = audiences.getAudience(created.getId(), projectId, null, null);
        }
        System.out.printf("java [%s]: Completed, record_count=%d, distinct_profile_count=%d, last_built_at=%s%n",
                auth, audience.getRecordCount(), audience.getDistinctProfileCount(), audience.getLastBuiltAt());

        AudienceList list = audiences.listAudiences(projectId, null, 100, null, null, null);
        check(list.getAudiences().stream().anyMatch(a -> a.getId().equals(created.getId())),
                "created audience missing from the list");

        AudienceSample sample = audiences.getAudienceSample(created.getId(), projectId, null, 5);
        check(sample.getContacts() != null, "sample has no contacts array");
        check(sample.getBuildId() != null, "sample has no build_id");
        System.out.printf("java [%s]: sample of build %s, %d contacts%n", auth, sample.getBuildId(),
                sample.getContacts().size());

        File download = audiences.downloadAudience(created.getId(), projectId, null, null, null, null);
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
