package io.audiences.contract;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.audiences.contract.SpecOperations.Op;
import io.audiences.server.platform.Contract;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.ObjectMapper;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Requests generated from {@code openapi.yaml}, for every operation it declares: valid ones (property-based,
 * built by {@link SchemaValues} from the parameter and body schemas) must get a documented 2xx, and
 * mutations of them that break one declared constraint (required, type, format, enum, length, range, pattern,
 * item counts, unknown properties; bad query, header and path parameters; missing or bad credentials) must
 * get the exact documented 4xx as problem+json naming what was wrong. Every response is also validated
 * against the contract by {@link ServerTestBase#given()}.
 *
 * <p><b>Generation and seeding.</b> Plain JUnit Jupiter dynamic tests: the server, its database and the
 * resources that path parameters point at are created once per class by the Jupiter lifecycle of
 * {@link ServerTestBase}. The values come from small in-house generators ({@link Gen}) rather than a
 * property-testing library: jqwik, used before, asks from version 1.10 on not to be used by AI coding agents,
 * and coding agents write these tests. One seed ({@code -Daudiences.fuzz.seed=N}, fixed by default so CI is
 * deterministic), from which each operation derives its own {@link Random}, so the cases of one operation are
 * the same whatever else runs. There is no shrinking; instead every failure prints the seed, the operation,
 * the case index and the exact request (server-assigned ids aside, the same seed generates the same requests).
 *
 * <p><b>State.</b> One audience is built (sample and download need a completed build); then the build workers
 * are stopped, so every other audience stays {@code Pending} and no {@code audience_syncing} 409 can race with
 * the generated requests. Operations that consume their target (delete, pause, resume) get a fresh one each.
 *
 * <p><b>Beyond the schema.</b> Strings never carry U+0000 in valid requests: the server refuses it (PostgreSQL
 * cannot store it), and {@link SchemaViolations} sends it as a negative case.
 *
 * <p><b>Semantic overrides.</b> The server checks more than the schema in a few places; those values come from
 * small, named overrides (see {@link #overrides()} and {@link #pathValue}), each saying why.
 */
class GeneratedRequestsTest extends AudienceTestBase {

    private static final long SEED = Long.getLong("audiences.fuzz.seed", 20261127L);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    /** The password of the fresh users that logout and password changes spend. */
    private static final String FRESH_PASSWORD = "fresh-user-password";

    /** Valid requests per operation unless {@link #POSITIVE_TRIES} says otherwise. */
    private static final int DEFAULT_POSITIVE = 50;
    /** Valid bases each negative mutation is applied to. */
    private static final int NEGATIVE_BASES = 3;

    /** Fewer tries where each request is expensive. */
    private static final Map<String, Integer> POSITIVE_TRIES = Map.ofEntries(
            Map.entry("login", 3),                 // Argon2 verification, ~100 ms each
            Map.entry("createUser", 6),            // Argon2 hash of the given or generated password
            Map.entry("getOpenApi", 3),            // the whole contract, validated as a string
            Map.entry("getApiDocs", 3),
            Map.entry("getApiDocsAsset", 4),       // up to 1.5 MB of script
            Map.entry("pauseAudience", 25),        // each needs a fresh audience (see pathValue)
            Map.entry("resumeAudience", 25),
            Map.entry("deleteAudience", 25),
            Map.entry("deleteApiClient", 25),
            Map.entry("getHealth", 10),
            Map.entry("logout", 6),                // each spends a fresh user (see credentials)
            Map.entry("changePassword", 6),        // a fresh user and two Argon2 hashes each
            Map.entry("deleteUser", 10),           // a fresh user each
            Map.entry("deleteApp", 10));           // a fresh app each

    /** One generated request. */
    record Request(String method, String path, Map<String, String> headers, Map<String, String> query, String body) {
        @Override
        public String toString() {
            return method + " " + path + (query.isEmpty() ? "" : " query=" + query) + " headers=" + headers
                    + (body == null ? "" : " body=" + body);
        }
    }

    /** What a negative case must get. */
    record Expected(int status, String code, String pointer) { }

    private Tenant tenant;
    private String childOrg;        // active child: parent of new organizations, home of new projects and users
    private String patchableOrg;    // a child whose name and status updateOrganization changes
    private String patchableProject; // a project whose name and status updateProject changes
    private String appId;
    private String appClientId;
    private String appClientSecret;
    private String appToken;
    private ApiClient enforced;     // secret_enforced: key and secret
    private ApiClient keyOnly;      // secret_enforced false: the key alone is enough
    private ApiClient rotated;      // target of rotateApiKey (revokes its other keys)
    private ApiClient revocable;    // target of revokeApiKey (revoking twice is harmless)
    private ApiClient patchable;    // target of updateApiClient (its enforcement flips; no other request uses it)
    private String rotatableAppId;  // target of rotateAppSecret; not the app whose secret and token are used
    private String patchableUser;   // target of updateUser (in the child organization)
    private long completedAudience; // built once: sample and download need a completed build
    private long editableAudience;  // target of updateAudience
    private long refreshableAudience; // target of refreshAudience (never paused)
    private String webhookId;       // subscribed to completed builds: completedAudience gave it a delivery
    private long deliveryId;        // that delivery (redelivering it is always allowed)
    private String reviewerToken;   // a user of the taxonomy reviewer organization (createTopicReview)
    private String waitingTopicRequest; // a topic request never reviewed: read and replaced
    private String waitingTopicId;  // its topic_id (listTopicReviews)
    private final List<String> categoryIds = new ArrayList<>();
    private final List<String> subcategoryIds = new ArrayList<>();
    private final List<String> topicIds = new ArrayList<>();
    private final List<Map<String, Object>> catalog = new ArrayList<>();
    private final Map<String, String> cursors = new LinkedHashMap<>();
    private SchemaValues schemaValues;
    private final AtomicInteger positives = new AtomicInteger();
    private final AtomicInteger negatives = new AtomicInteger();
    private final AtomicLong idempotencyKeys = new AtomicLong();
    private long startedAt;

    // ---------------------------------------------------------------------------------------------- setup

    static List<Op> operations() {
        return SpecOperations.all();
    }

    /**
     * Every create runs twice as often as it did before the Public Core operations (their own path and the one under
     * /public/core), for one tenant: the default quotas (100 apps, 100 child organizations) would answer 409.
     */
    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new LinkedHashMap<>(super.configOverrides());
        List.of("organizations", "projects", "users", "apps").forEach(q -> overrides.put("audiences.quotas." + q, "1000"));
        return overrides;
    }

    @BeforeAll
    void createFixtures() throws Exception {
        startedAt = System.nanoTime();
        new UpstreamFixture(SEED, 60, LocalDate.now(ZoneOffset.UTC), 3).write(app.database(), 0);
        tenant = tenant("Fuzz");
        String token = tenant.token();
        childOrg = childOrganization(token, "Fuzz child", null);
        patchableOrg = childOrganization(token, "Fuzz patchable", null);
        patchableProject = as(token).body(Map.of("name", "Fuzz patchable project")).post("/api/v1/projects").then()
                .statusCode(201).extract().path("project_id");
        JsonPath createdApp = as(token).body(Map.of("name", "Fuzz app")).post("/api/app/create").then().statusCode(201)
                .extract().jsonPath();
        appId = createdApp.getString("response.app_id");
        appClientId = createdApp.getString("response.client_id");
        appClientSecret = createdApp.getString("response.client_secret");
        appToken = given().header("X-Delivr-Client-ID", appClientId).header("X-Delivr-Client-Secret", appClientSecret)
                .post("/auth/issue").then().statusCode(200).extract().path("response.token");
        enforced = apiClient(token, "Fuzz enforced", true);
        keyOnly = apiClient(token, "Fuzz key only", false);
        rotated = apiClient(token, "Fuzz rotated", true);
        revocable = apiClient(token, "Fuzz revocable", true);
        patchable = apiClient(token, "Fuzz patched", true);
        rotatableAppId = as(token).body(Map.of("name", "Fuzz rotatable app")).post("/api/app/create").then().statusCode(201)
                .extract().path("response.app_id");
        patchableUser = as(token).body(Map.of("email", "patchable-" + System.nanoTime() + "@example.com", "first_name", "Pat",
                "last_name", "Chable", "organization_id", childOrg, "password", FRESH_PASSWORD)).post("/api/v1/users").then()
                .statusCode(201).extract().path("user_id");

        for (Object c : as(token).get("/taxonomy/categories").then().statusCode(200).extract().jsonPath()
                .getList("response.category_id")) {
            categoryIds.add((String) c);
        }
        for (Object c : as(token).get("/taxonomy/subcategories").then().statusCode(200).extract().jsonPath()
                .getList("response.subcategory_id")) {
            subcategoryIds.add((String) c);
        }
        for (Object c : as(token).get("/taxonomy/topics").then().statusCode(200).extract().jsonPath()
                .getList("response.topic_id")) {
            topicIds.add((String) c);
        }
        List<Map<String, Object>> fields = as(token).queryParam("include_options", true).get("/api/v1/field-catalog")
                .then().statusCode(200).extract()
                .jsonPath().getList("fields");
        catalog.addAll(fields);
        schemaValues = new SchemaValues(overrides());
        reviewerToken = reviewerToken();
        JsonPath waiting = as(token).body(Map.of("name", "Fuzz waiting topic")).post("/taxonomy/topic-requests").then()
                .statusCode(201).extract().jsonPath();
        waitingTopicRequest = waiting.getString("response.topic_request_id");
        waitingTopicId = waiting.getString("response.topic_id");

        webhookId = webhook();
        webhook(); // a second endpoint, for a real listWebhooks cursor
        completedAudience = create(tenant, Map.of("name", "Fuzz completed", "type", "intents",
                "filter", and(rule("INTENT", "in", topicIds))));
        await(tenant, completedAudience, "Completed");
        // Committed with the build: the outbox's delivery exists as soon as the audience reads Completed.
        deliveryId = as(token).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                .extract().jsonPath().getLong("deliveries[0].delivery_id");
        // From here on no build runs (see stopBuilds): audiences stay Pending, so no state-dependent 409
        // (audience_syncing) can race with the generated requests.
        stopBuilds();
        editableAudience = create(tenant, Map.of("name", "Fuzz editable", "type", "intents",
                "filter", and(rule("INTENT", "in", topicIds))));
        refreshableAudience = create(tenant, Map.of("name", "Fuzz refreshable", "type", "elixir",
                "filter", and(rule("seniority_level", "in", List.of("vp")))));
        // Real cursors: a cursor is opaque and only the server's own are valid.
        create(tenant, Map.of("name", "Fuzz second", "type", "elixir", "filter", and(rule("seniority_level", "in", List.of("cxo")))));
        cursors.put("listOrganizations", as(token).queryParam("limit", 1).get("/api/v1/organizations").then()
                .statusCode(200).extract().path("next_cursor"));
        cursors.put("listProjects", as(token).queryParam("limit", 1).get("/api/v1/projects").then()
                .statusCode(200).extract().path("next_cursor"));
        cursors.put("listWebhooks", as(token).queryParam("limit", 1).get("/api/v1/webhooks").then()
                .statusCode(200).extract().path("next_cursor"));
        cursors.put("listAuditEvents", as(token).queryParam("limit", 1).get("/api/v1/audit-events").then()
                .statusCode(200).extract().path("next_cursor"));
        cursors.put("listAudiences", as(token).queryParam("limit", 1).header("X-Project-Id", project())
                .get("/api/v1/audiences").then().statusCode(200).extract().path("next_cursor"));
        System.out.println("GeneratedRequestsTest: seed " + SEED + " (replay with -Daudiences.fuzz.seed=" + SEED + ")");
    }

    /** An endpoint for completed builds; its host does not resolve here, and public names are allowed anyway. */
    private String webhook() {
        return as(tenant.token()).body(Map.of("url", "https://hooks.example.com/fuzz", "events",
                List.of("audience.build.completed"))).post("/api/v1/webhooks").then().statusCode(201).extract()
                .path("webhook_id");
    }

    /** No build runs while requests are generated: a rebuild would race them into 409 audience_syncing. */
    private void stopBuilds() {
        app.buildWorkers().close();
    }

    @AfterAll
    void printCounts() {
        System.out.printf("GeneratedRequestsTest (%s, seed %d): %d positive and %d negative generated requests in %d s%n",
                System.getProperty("audiences.test.db", "h2"), SEED, positives.get(), negatives.get(),
                (System.nanoTime() - startedAt) / 1_000_000_000L);
    }

    private String project() {
        return tenant.project().id().toString();
    }

    // ------------------------------------------------------------------------------------ semantic overrides

    /**
     * Property values the schema allows but the server refuses for reasons outside the schema. Keys are
     * {@code operationId.property} or {@code property}.
     */
    private Map<String, Gen<?>> overrides() {
        Map<String, Gen<?>> o = new LinkedHashMap<>();
        // A filter is checked against the field catalog and the taxonomy (FilterCompiler): field names,
        // operators per field, values per field type, known topic ids.
        o.put("filter", this::filter);
        // Body ids must name what the caller reaches, and an audience's must be its project's own.
        o.put("createAudience.organization_id", Gen.constant(tenant.organization().id().toString()));
        o.put("createAudience.project_id", Gen.constant(project()));
        // Projects and users go into the caller's organization or an active descendant
        // (patchableOrg may be inactive: 409 organization_inactive).
        o.put("organization_id", Gen.elements(tenant.organization().id().toString(), childOrg));
        o.put("parent_organization_id", Gen.elements(tenant.organization().id().toString(), childOrg));
        // A topic request names an existing subcategory or none (400 unknown_subcategory).
        o.put("subcategory_id", Gen.elements(subcategoryIds.toArray(String[]::new)));
        // Login needs real credentials.
        o.put("login.email", Gen.constant(tenant.email()));
        o.put("login.password", Gen.constant(tenant.password()));
        // Webhook targets: public https URLs (loopback and private addresses are refused, see WebhookTargetsTest),
        // and a set of events (the schema's uniqueItems).
        o.put("createWebhook.url", r -> "https://hooks.example.com/" + SchemaValues.text(1, 30).next(r).replaceAll("[^A-Za-z0-9]", "")
                + "/" + r.nextInt(1_000_000));
        o.put("createWebhook.events", r -> {
            List<String> all = new ArrayList<>(List.of("audience.build.completed", "audience.build.failed",
                    "audience.paused", "audience.resumed", "audience.deleted"));
            return pick(r, all, 1 + r.nextInt(all.size()));
        });
        // A password change must name the current password: every fresh user's (see credentials).
        o.put("changePassword.current_password", Gen.constant(FRESH_PASSWORD));
        // The action filter's pattern (resource.verb) is too narrow for the pattern-filtered strings: real actions.
        o.put("listAuditEvents.action", Gen.elements("app.created", "user.deleted", "audience.paused", "no_such.action"));
        // HTTP header values are visible ASCII (RFC 9110; surrounding whitespace is not part of the value),
        // and a key reused with another body is a 422: every key carries a running number.
        String visibleAscii = Gen.range('!', '~');
        o.put("Idempotency-Key", Gen.strings(visibleAscii, 1, 240).map(k -> k + "#" + idempotencyKeys.incrementAndGet()));
        o.put("If-None-Match", Gen.strings(visibleAscii, 1, 60).map(s -> "\"" + s.replace("\"", "") + "\""));
        // A range beyond the snapshot is a 416; generated ranges start at 0. Anything not of the form
        // bytes=N-[M] is ignored (RFC 9110), so free text is valid too.
        o.put("Range", Gen.oneOf(Gen.elements("bytes=0-", "bytes=0-0", "bytes=0-99"),
                Gen.strings(Gen.range('a', 'z'), 1, 20)));
        o.put("If-Range", Gen.strings(visibleAscii, 1, 40));
        // Any version: a generated ETag would name none (412); HttpSemanticsTest sends real and stale ones.
        o.put("If-Match", Gen.constant("*"));
        // The cursor drawn for listAudiences is one of the default order's; a cursor of another order is a 400.
        // HttpSemanticsTest walks every order with its own cursors.
        o.put("listAudiences.sort", Gen.constant("created_at"));
        // Download columns are names of Contact fields, each at most once.
        o.put("downloadAudience.columns", r -> pick(r, List.of("record_id", "profile_id", "first_name", "mobile_phone",
                "mobile_phones", "seniority_level", "intent_frequency"), 1 + r.nextInt(7)));
        return o;
    }

    /** A filter group valid for the field catalog, with an INTENT rule on top (intents audiences need one). */
    private Map<String, Object> filter(RandomGenerator r) {
        Map<String, Object> group = group(r, 1);
        @SuppressWarnings("unchecked")
        List<Object> rules = (List<Object>) group.get("rules");
        rules.add(r.nextInt(rules.size() + 1), rule("INTENT", "in", pick(r, topicIds, 1 + r.nextInt(3))));
        if ("and".equals(group.get("condition")) && r.nextInt(4) == 0) {
            // intent_score only in the top-level "and" group, next to an INTENT rule.
            rules.add(rule("intent_score", "gte", r.nextInt(101)));
        }
        return group;
    }

    private Map<String, Object> group(RandomGenerator r, int depth) {
        List<Object> rules = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            rules.add(depth < 4 && r.nextInt(5) == 0 ? group(r, depth + 1) : catalogRule(r));
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("condition", r.nextBoolean() ? "and" : "or");
        group.put("rules", rules);
        return group;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> catalogRule(RandomGenerator r) {
        List<Map<String, Object>> usable = catalog.stream()
                .filter(f -> !"INTENT".equals(f.get("field_key")) && !"intent_score".equals(f.get("field_key"))).toList();
        Map<String, Object> field = usable.get(r.nextInt(usable.size()));
        List<String> operators = (List<String>) field.get("operators");
        String op = operators.get(r.nextInt(operators.size()));
        List<Map<String, Object>> options = field.get("options") == null ? List.of() : (List<Map<String, Object>>) field.get("options");
        boolean bucket = "bucket".equals(field.get("field_type"));
        List<String> choices = options.stream().map(o -> (String) (bucket ? o.get("label") : o.get("value"))).toList();
        Object value = switch (op) {
            case "in", "notin" -> choices.isEmpty() ? words(r, 1 + r.nextInt(3)) : pick(r, choices, 1 + r.nextInt(Math.min(3, choices.size())));
            case "gt", "gte", "lt", "lte" -> (long) r.nextInt(1_000_000);
            case "between" -> {
                long a = r.nextInt(1_000_000);
                yield List.of(a, a + r.nextInt(1_000_000));
            }
            default -> { // eq, ne, contains
                if ("boolean".equals(field.get("data_type"))) {
                    yield r.nextBoolean();
                }
                yield choices.isEmpty() || "contains".equals(op) ? words(r, 1).getFirst() : choices.get(r.nextInt(choices.size()));
            }
        };
        return rule((String) field.get("field_key"), op, value);
    }

    private List<String> words(RandomGenerator r, int n) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            words.add(SchemaValues.text(1, 30).next(r));
        }
        return words;
    }

    private static <T> List<T> pick(RandomGenerator r, List<T> from, int n) {
        List<T> copy = new ArrayList<>(from);
        java.util.Collections.shuffle(copy, r);
        return List.copyOf(copy.subList(0, Math.min(n, copy.size())));
    }

    /**
     * The value of a path parameter in a valid request: a resource that exists and is in the state the
     * operation needs (fresh resources for operations that consume them).
     */
    private String pathValue(Op op, String name, Random r) {
        String token = tenant.token();
        return switch (op.baseId() + "." + name) {
            case "deleteApiClient.client_id" -> apiClient(token, "Fuzz deleted " + r.nextInt(), true).clientId();
            case "rotateApiKey.client_id" -> rotated.clientId();
            case "revokeApiKey.client_id" -> revocable.clientId();
            case "updateApiClient.client_id" -> patchable.clientId();
            case "revokeApiKey.key_id" -> revocable.keyId();
            case "getApp.app_id" -> appId;
            case "deleteApp.app_id" -> as(token).body(Map.of("name", "Fuzz deleted app")).post("/api/app/create").then()
                    .statusCode(201).extract().path("response.app_id");
            case "rotateAppSecret.app_id" -> rotatableAppId;
            case "updateUser.user_id" -> patchableUser;
            case "deleteUser.user_id" -> as(token).body(Map.of("email", "deleted-" + System.nanoTime() + "@example.com",
                    "first_name", "Del", "last_name", "Eted", "password", FRESH_PASSWORD)).post("/api/v1/users").then()
                    .statusCode(201).extract().path("user_id");
            case "getOrganization.organization_id" -> r.nextBoolean() ? tenant.organization().id().toString() : childOrg;
            // Not the caller's own organization: changing its own status is a 409.
            case "updateOrganization.organization_id" -> patchableOrg;
            case "getProject.project_id" -> r.nextBoolean() ? project() : patchableProject;
            // Its own project: deactivating the main one would make audience creation a 409.
            case "updateProject.project_id" -> patchableProject;
            case "getAudience.audience_id" -> Long.toString(r.nextBoolean() ? completedAudience : editableAudience);
            case "updateAudience.audience_id" -> Long.toString(editableAudience);
            case "refreshAudience.audience_id" -> Long.toString(refreshableAudience);
            // Pausing twice, resuming an unpaused audience and reading a deleted one are 409/404: fresh ones.
            case "pauseAudience.audience_id", "deleteAudience.audience_id" -> Long.toString(freshAudience());
            case "resumeAudience.audience_id" -> {
                long id = freshAudience();
                as(token).header("X-Project-Id", project()).post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);
                yield Long.toString(id);
            }
            // Sample and download answer 409 before the first completed build.
            case "getAudienceSample.audience_id", "downloadAudience.audience_id" -> Long.toString(completedAudience);
            case "getWebhook.webhook_id", "listWebhookDeliveries.webhook_id", "redeliverWebhookDelivery.webhook_id" -> webhookId;
            case "redeliverWebhookDelivery.delivery_id" -> Long.toString(deliveryId);
            case "deleteWebhook.webhook_id" -> webhook();
            case "getTaxonomyCategory.category_id" -> categoryIds.get(r.nextInt(categoryIds.size()));
            case "getTaxonomySubcategory.subcategory_id" -> subcategoryIds.get(r.nextInt(subcategoryIds.size()));
            case "getTaxonomyTopic.topic_id" -> topicIds.get(r.nextInt(topicIds.size()));
            // A request of the tenant that no review decides (a decided one answers 409 to a replacement).
            case "getTopicRequest.topic_request_id", "updateTopicRequest.topic_request_id" -> waitingTopicRequest;
            case "listTopicReviews.topic_id" -> waitingTopicId;
            // Deciding twice is a 409: a fresh request each time, complete (accepting one without a subcategory and a
            // type is 409 topic_request_incomplete: the catalog needs both).
            case "createTopicReview.topic_id" -> as(token).body(Map.of("name", "Fuzz reviewed topic",
                            "subcategory_id", subcategoryIds.get(r.nextInt(subcategoryIds.size())), "topic_type", "B2B"))
                    .post("/taxonomy/topic-requests").then().statusCode(201).extract().path("response.topic_id");
            // Any other well-formed name is a (documented) 404.
            case "getApiDocsAsset.file" -> List.of("swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png").get(r.nextInt(3));
            default -> throw new IllegalStateException("No valid value for path parameter " + name + " of " + op.id()
                    + ": add one to pathValue");
        };
    }

    private long freshAudience() {
        return create(tenant, Map.of("name", "Fuzz fresh", "type", "elixir",
                "filter", and(rule("seniority_level", "in", List.of("director")))));
    }

    // --------------------------------------------------------------------------------- valid requests

    /** Credentials for a valid request: one of the operation's security alternatives, chosen at random. */
    private Map<String, String> credentials(Op op, Random r) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (op.security().isEmpty()) {
            return headers;
        }
        SecurityRequirement alternative = op.security().get(r.nextInt(op.security().size()));
        if (List.of("logout", "changePassword").contains(op.baseId())) {
            // Both end the caller's tokens (and only users can call them): a fresh user each time.
            headers.put("Authorization", "Bearer " + freshUserToken(tenant.organization().id(), FRESH_PASSWORD));
        } else if ("createTopicReview".equals(op.id())) {
            // Only the configured reviewer organization reviews topic requests.
            headers.put("Authorization", "Bearer " + reviewerToken);
        } else if (alternative.containsKey("bearerAuth")) {
            headers.put("Authorization", "Bearer " + (r.nextInt(4) == 0 ? appToken : tenant.token()));
        } else if (alternative.containsKey("apiKey") && alternative.containsKey("apiSecret")) {
            headers.put("X-Api-Key", enforced.apiKey());
            headers.put("X-Api-Secret", enforced.apiSecret());
        } else if (alternative.containsKey("apiKey")) {
            headers.put("X-Api-Key", keyOnly.apiKey());
        } else if (alternative.containsKey("appClientId")) {
            headers.put("X-Delivr-Client-ID", appClientId);
            headers.put("X-Delivr-Client-Secret", appClientSecret);
        }
        if (alternative.containsKey("bearerAuth") && alternative.containsKey("appClientId")) {
            // Public Core: the app credentials of the token's organization beside the JWT.
            headers.put("X-Delivr-Client-ID", appClientId);
            headers.put("X-Delivr-Client-Secret", appClientSecret);
        }
        return headers;
    }

    private Request valid(Op op, Random r) {
        Map<String, String> headers = credentials(op, r);
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, String> path = new LinkedHashMap<>();
        for (Parameter p : op.parameters()) {
            String name = p.getName();
            if ("X-Project-Id".equals(name) || ("project_id".equals(name) && "query".equals(p.getIn()))) {
                continue; // below: they must name the same, existing project
            }
            if ("path".equals(p.getIn())) {
                path.put(name, pathValue(op, name, r));
                continue;
            }
            if (!Boolean.TRUE.equals(p.getRequired()) && r.nextBoolean()) {
                continue;
            }
            String value;
            if ("cursor".equals(name)) {
                value = cursors.get(op.baseId());
                if (value == null) {
                    continue;
                }
            } else {
                value = param(schemaValues.valid(op.baseId(), name, p.getSchema(), 1).next(r));
            }
            ("header".equals(p.getIn()) ? headers : query).put(name, value);
        }
        if (op.projectScoped()) {
            // The project is required in the header or the query (or both, naming the same project).
            int where = r.nextInt(3);
            if (where != 1) {
                headers.put("X-Project-Id", project());
            }
            if (where != 0) {
                query.put("project_id", project());
            }
        }
        String body = null;
        if (op.body() != null && (op.bodyRequired() || r.nextInt(4) != 0)) {
            body = json(oneName(op, schemaValues.valid(op.baseId(), null, op.body(), 0).next(r), r));
        }
        return new Request(op.method(), expand(op.template(), path), headers, query, body);
    }

    /** An audience is named by exactly one of name and audience_name (a rule the schema does not express). */
    @SuppressWarnings("unchecked")
    private static Object oneName(Op op, Object body, Random r) {
        if ("createAudience".equals(op.baseId()) && body instanceof Map<?, ?> map) {
            Map<String, Object> b = (Map<String, Object>) map;
            if (b.containsKey("name") && b.containsKey("audience_name")) {
                b.remove(r.nextBoolean() ? "name" : "audience_name");
            } else if (!b.containsKey("name") && !b.containsKey("audience_name")) {
                b.put(r.nextBoolean() ? "name" : "audience_name", "Fuzz named " + r.nextInt(1000));
            }
        }
        return body;
    }

    private static String param(Object value) {
        return value instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(value);
    }

    private static String expand(String template, Map<String, String> values) {
        Matcher m = PATH_PARAM.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String json(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    private Response send(Request request) {
        RequestSpecification spec = given();
        request.headers().forEach(spec::header);
        request.query().forEach(spec::queryParam);
        if (request.body() != null) {
            spec.contentType("application/json").body(request.body());
        }
        return spec.request(request.method(), request.path());
    }

    private long opSeed(Op op, String kind) {
        return SEED * 31 + (op.id() + "/" + kind).hashCode();
    }

    @TestFactory
    Stream<DynamicTest> validRequestsGetADocumented2xx() {
        return operations().stream().map(op -> DynamicTest.dynamicTest("valid " + op.id(), () -> {
            long started = System.nanoTime();
            Random r = new Random(opSeed(op, "valid"));
            int tries = POSITIVE_TRIES.getOrDefault(op.baseId(), DEFAULT_POSITIVE);
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < tries; i++) {
                Request request = null;
                try {
                    request = valid(op, r);
                    positives.incrementAndGet();
                    Response response = send(request);
                    if (response.statusCode() < 200 || response.statusCode() > 299) {
                        failures.add(describe(op, "valid", i, request, "expected a 2xx, got " + response.statusCode()
                                + " " + response.asString()));
                    }
                } catch (AssertionError | RuntimeException e) {
                    failures.add(describe(op, "valid", i, request, e.toString()));
                }
            }
            log(op, "valid", tries, started);
            report(op, tries, failures);
        }));
    }

    private static void log(Op op, String kind, int requests, long started) {
        System.out.printf("  %-8s %-28s %5d requests %6d ms%n", kind, op.id(), requests, (System.nanoTime() - started) / 1_000_000);
    }

    private static String describe(Op op, String kind, int index, Object request, String problem) {
        return "[seed " + SEED + ", " + op.id() + " " + kind + " case " + index + "] " + request + "\n    -> " + problem;
    }

    private static void report(Op op, int total, List<String> failures) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + total + " requests of " + op.id() + " failed (replay with -Daudiences.fuzz.seed="
                    + SEED + "):\n" + String.join("\n", failures.subList(0, Math.min(8, failures.size()))));
        }
    }

    // ------------------------------------------------------------------------------ negative requests

    /** A request that breaks one constraint, and the answer it must get. */
    record Negative(String what, Request request, Expected expected) {
        @Override
        public String toString() {
            return what + ": " + request + " (expected " + expected + ")";
        }
    }

    private List<Negative> negatives(Op op, Random r) {
        List<Negative> cases = new ArrayList<>();
        for (int b = 0; b < NEGATIVE_BASES; b++) {
            Request base = valid(op, r);
            if (b == 0 || op.body() != null) {
                cases.addAll(parameterViolations(op, base));
            }
            if (op.body() != null) {
                Object body = base.body() == null
                        ? schemaValues.valid(op.baseId(), null, op.body(), 0).next(r)
                        : MAPPER.readValue(base.body(), Object.class);
                for (SchemaViolations.Violation v : SchemaViolations.of(body, op.body())) {
                    cases.add(new Negative("body " + v.what(), new Request(base.method(), base.path(), base.headers(),
                            base.query(), json(v.body())), new Expected(400, "validation_failed", v.pointer())));
                }
            }
            if (b < 2) {
                cases.addAll(authViolations(op, base));
            }
        }
        return cases;
    }

    /** Bad query, header and path parameters: each breaks one constraint of its schema. */
    private List<Negative> parameterViolations(Op op, Request base) {
        List<Negative> cases = new ArrayList<>();
        for (Parameter p : op.parameters()) {
            for (String bad : SchemaViolations.badParameterValues(p.getSchema(), "query".equals(p.getIn()))) {
                String name = p.getName();
                Map<String, String> headers = new LinkedHashMap<>(base.headers());
                Map<String, String> query = new LinkedHashMap<>(base.query());
                String path = base.path();
                Expected expected = new Expected(400, "invalid_parameter", name);
                switch (p.getIn()) {
                    case "query" -> query.put(name, bad);
                    case "header" -> headers.put(name, bad);
                    case "path" -> {
                        Map<String, String> values = new LinkedHashMap<>();
                        String[] actual = base.path().split("/");
                        String[] template = op.template().split("/");
                        for (int i = 0; i < template.length; i++) {
                            Matcher t = PATH_PARAM.matcher(template[i]);
                            if (t.matches()) {
                                values.put(t.group(1), actual[i]);
                            }
                        }
                        values.put(name, bad);
                        path = expand(op.template(), values);
                        if ("getApiDocsAsset".equals(op.id())) {
                            // Documented: any name that is not one of the page's files is a 404 (no 400 is declared).
                            expected = new Expected(404, "not_found", null);
                        }
                    }
                    default -> throw new IllegalStateException(p.getIn());
                }
                cases.add(new Negative(p.getIn() + " " + name + "=" + abbreviate(bad),
                        new Request(base.method(), path, headers, query, base.body()), expected));
            }
        }
        return cases;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 20) + "...(" + s.length() + " chars)" : s;
    }

    /** Missing and bad credentials: 401 for every operation that requires any. */
    private List<Negative> authViolations(Op op, Request base) {
        List<Negative> cases = new ArrayList<>();
        if (op.anonymous()) {
            return cases;
        }
        Expected unauthorized = new Expected(401, "unauthorized", null);
        Map<String, String> bare = new LinkedHashMap<>(base.headers());
        List.of("Authorization", "X-Api-Key", "X-Api-Secret", "X-Delivr-Client-ID", "X-Delivr-Client-Secret").forEach(bare::remove);
        Function<Map<String, String>, Request> with = extra -> {
            Map<String, String> h = new LinkedHashMap<>(bare);
            h.putAll(extra);
            return new Request(base.method(), base.path(), h, base.query(), base.body());
        };
        cases.add(new Negative("no credentials", with.apply(Map.of()), unauthorized));
        if (op.requiresAppCredentials()) {
            String bearer = base.headers().get("Authorization");
            Expected invalid = new Expected(401, "invalid_app_credentials", null);
            cases.add(new Negative("bearer without app credentials", with.apply(Map.of("Authorization", bearer)),
                    new Expected(401, "app_credentials_required", null)));
            cases.add(new Negative("bearer with an app client id only", with.apply(Map.of("Authorization", bearer,
                    "X-Delivr-Client-ID", appClientId)), new Expected(401, "app_credentials_required", null)));
            cases.add(new Negative("bearer with an unknown app client", with.apply(Map.of("Authorization", bearer,
                    "X-Delivr-Client-ID", "client_0000000000000000", "X-Delivr-Client-Secret", appClientSecret)), invalid));
            cases.add(new Negative("bearer with a wrong app secret", with.apply(Map.of("Authorization", bearer,
                    "X-Delivr-Client-ID", appClientId, "X-Delivr-Client-Secret", "secret_" + "0".repeat(48))), invalid));
            cases.add(new Negative("garbage bearer with app credentials", with.apply(Map.of("Authorization", "Bearer not.a.jwt",
                    "X-Delivr-Client-ID", appClientId, "X-Delivr-Client-Secret", appClientSecret)), unauthorized));
            cases.add(new Negative("app credentials without a bearer", with.apply(Map.of("X-Delivr-Client-ID", appClientId,
                    "X-Delivr-Client-Secret", appClientSecret)), unauthorized));
            return cases;
        }
        if (op.accepts("appClientId")) {
            // Both answered alike, so the answer does not tell which client ids exist.
            Expected invalid = new Expected(401, "invalid_credentials", null);
            cases.add(new Negative("unknown app client", with.apply(Map.of("X-Delivr-Client-ID", "client_0000000000000000",
                    "X-Delivr-Client-Secret", appClientSecret)), invalid));
            cases.add(new Negative("wrong app secret", with.apply(Map.of("X-Delivr-Client-ID", appClientId,
                    "X-Delivr-Client-Secret", "secret_" + "0".repeat(48))), invalid));
            cases.add(new Negative("app client id without secret", with.apply(Map.of("X-Delivr-Client-ID", appClientId)),
                    unauthorized));
            return cases;
        }
        if (op.accepts("bearerAuth")) {
            String t = tenant.token();
            cases.add(new Negative("garbage bearer", with.apply(Map.of("Authorization", "Bearer not.a.jwt")), unauthorized));
            cases.add(new Negative("tampered bearer", with.apply(Map.of("Authorization", "Bearer " + t.substring(0, t.length() - 4)
                    + (t.endsWith("AAAA") ? "BBBB" : "AAAA"))), unauthorized));
            cases.add(new Negative("basic instead of bearer", with.apply(Map.of("Authorization", "Basic dXNlcjpwYXNz")),
                    unauthorized));
            cases.add(new Negative("empty bearer", with.apply(Map.of("Authorization", "Bearer ")), unauthorized));
        }
        if (op.accepts("apiKey")) {
            cases.add(new Negative("unknown api key", with.apply(Map.of("X-Api-Key", "dlvr_" + "0".repeat(32),
                    "X-Api-Secret", enforced.apiSecret())), unauthorized));
            cases.add(new Negative("enforced key without secret", with.apply(Map.of("X-Api-Key", enforced.apiKey())),
                    unauthorized));
            cases.add(new Negative("wrong api secret", with.apply(Map.of("X-Api-Key", enforced.apiKey(),
                    "X-Api-Secret", keyOnly.apiSecret())), unauthorized));
        } else {
            cases.add(new Negative("api key on a bearer-only operation", with.apply(Map.of("X-Api-Key", enforced.apiKey(),
                    "X-Api-Secret", enforced.apiSecret())), unauthorized));
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> invalidRequestsGetTheExactDocumented4xx() {
        return operations().stream().map(op -> DynamicTest.dynamicTest("invalid " + op.id(), () -> {
            long started = System.nanoTime();
            Random r = new Random(opSeed(op, "invalid"));
            List<Negative> cases = negatives(op, r);
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Negative c = cases.get(i);
                negatives.incrementAndGet();
                try {
                    check(c, send(c.request()));
                } catch (AssertionError | RuntimeException e) {
                    failures.add(describe(op, "invalid", i, c, e.toString()));
                }
            }
            log(op, "invalid", cases.size(), started);
            report(op, cases.size(), failures);
        }));
    }

    private static void check(Negative c, Response response) {
        int status = response.statusCode();
        if (status != c.expected().status()) {
            throw new AssertionError("expected " + c.expected().status() + ", got " + status + " " + abbreviate(response.asString()));
        }
        String contentType = response.contentType() == null ? "" : response.contentType().toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/problem+json")) {
            throw new AssertionError("expected application/problem+json, got " + contentType);
        }
        JsonPath problem = response.jsonPath();
        if (problem.getInt("status") != status || !c.expected().code().equals(problem.getString("code"))
                || problem.getString("request_id") == null || problem.getString("request_id").isEmpty()) {
            throw new AssertionError("expected status " + status + ", code " + c.expected().code()
                    + " and a request_id, got " + response.asString());
        }
        if (c.expected().pointer() != null) {
            List<String> pointers = problem.getList("errors.pointer", String.class);
            if (pointers == null || !pointers.contains(c.expected().pointer())) {
                throw new AssertionError("expected errors[].pointer " + c.expected().pointer() + ", got " + response.asString());
            }
        }
    }

    // ---------------------------------------------------------------------------------- self checks

    /** The generator sees the same operations as the server's own reading of the contract. */
    @Test
    void theGeneratorCoversEveryOperationOfTheContract() {
        assertThat(operations().stream().map(Op::id).sorted().toList(),
                equalTo(Contract.load().operations().stream().map(Contract.Operation::id).sorted().toList()));
        assertThat(operations().size(), greaterThan(40));
    }
}
