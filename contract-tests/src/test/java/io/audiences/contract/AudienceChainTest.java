package io.audiences.contract;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.audiences.server.platform.Contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.links.Link;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.isIn;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole audience lifecycle as one stateful chain, driven by the OpenAPI {@code links} of the contract:
 * every call on the audience follows a link declared on an earlier response of the chain, with the parameters
 * the link's runtime expressions take from that response's body (no audience URL is written here; only the
 * create and the list, which are not on one audience, are looked up by operationId). After the
 * delete, every link of the create response must answer 404 with the documented problem code, so a new
 * sub-resource without a link, or one that forgets the delete, fails this test.
 */
class AudienceChainTest extends AudienceTestBase {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private static final String AUDIENCE = "/api/v1/audiences/{audience_id}";
    private static final String AUDIENCE_SCHEMA = "#/components/schemas/Audience";
    private static final int WINDOW_DAYS = 3;
    private static final int SAMPLE_LIMIT = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An operation of the contract: its method and path template. */
    record Target(String operationId, String method, String path, Operation operation) { }

    private OpenAPI spec;
    private final Map<String, Target> operations = new LinkedHashMap<>();
    private UpstreamFixture data;
    private Tenant tenant;

    @BeforeAll
    void loadSpecAndData() throws Exception {
        // Not fully resolved: $refs stay visible, so responses can be recognised by the schema they name.
        spec = new OpenAPIV3Parser().read(getClass().getClassLoader().getResource(Contract.RESOURCE).toString());
        spec.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
                operations.put(op.getOperationId(), new Target(op.getOperationId(), method.name(), path, op))));
        data = new UpstreamFixture(23, 60, TODAY, WINDOW_DAYS + 1);
        data.write(app.database(), 0);
        tenant = tenant("Chain");
    }

    // ---------------------------------------------------------------------------------------------------------
    // The contract
    // ---------------------------------------------------------------------------------------------------------

    /** The operations on one audience: every path under {@code /api/v1/audiences/{audience_id}}. */
    private Set<String> audienceOperations() {
        return operations.values().stream().filter(t -> t.path().equals(AUDIENCE) || t.path().startsWith(AUDIENCE + "/"))
                .map(Target::operationId).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String refName(String ref) {
        return ref.substring(ref.lastIndexOf('/') + 1);
    }

    private ApiResponse response(String operationId, String status) {
        ApiResponse response = operations.get(operationId).operation().getResponses().get(status);
        assertThat(operationId + " documents " + status, response, notNullValue());
        return response.get$ref() == null ? response : spec.getComponents().getResponses().get(refName(response.get$ref()));
    }

    /** The links declared on a response, {@code $ref}s to {@code components/links} resolved, by target operation. */
    private Map<String, Link> links(String operationId, String status) {
        Map<String, Link> declared = response(operationId, status).getLinks();
        assertThat(operationId + " " + status + " declares links", declared, notNullValue());
        Map<String, Link> byTarget = new LinkedHashMap<>();
        declared.forEach((name, link) -> {
            Link resolved = link.get$ref() == null ? link : spec.getComponents().getLinks().get(refName(link.get$ref()));
            assertThat("link " + name + " resolves", resolved, notNullValue());
            assertThat("link " + name + " names an operation of the contract", operations.keySet(),
                    hasItem(resolved.getOperationId()));
            assertThat("link " + name + " targets one operation once", byTarget.put(resolved.getOperationId(), resolved),
                    nullValue());
        });
        return byTarget;
    }

    private Parameter parameter(Operation op, String name) {
        // A link may qualify a name with its location (path.audience_id); no audience operation needs that.
        String bare = name.contains(".") ? name.substring(name.indexOf('.') + 1) : name;
        for (Parameter p : op.getParameters()) {
            Parameter resolved = p.get$ref() == null ? p : spec.getComponents().getParameters().get(refName(p.get$ref()));
            if (resolved.getName().equals(bare)) {
                return resolved;
            }
        }
        fail(op.getOperationId() + " has no parameter " + name);
        return null;
    }

    /** The problem code the contract documents for an operation's 404 (the example of its response). */
    private String documentedNotFoundCode(String operationId) {
        MediaType problem = response(operationId, "404").getContent().get("application/problem+json");
        assertThat(operationId + " 404 is problem+json", problem, notNullValue());
        Set<String> codes = new HashSet<>();
        problem.getExamples().values().forEach(e -> codes.add(JSON.valueToTree(e.getValue()).get("code").asText()));
        assertThat(operationId + " documents one 404 code", codes.size(), is(1));
        return codes.iterator().next();
    }

    @Test
    void everyResponseReturningAnAudienceLinksToEveryOperationOnIt() {
        Set<String> onAudience = audienceOperations();
        // The sub-resources of issue 5; a new one is picked up by audienceOperations() and must get a link.
        assertThat(onAudience, equalTo(new TreeSet<>(List.of("getAudience", "updateAudience", "deleteAudience",
                "refreshAudience", "pauseAudience", "resumeAudience", "getAudienceSample", "downloadAudience"))));
        @SuppressWarnings("unchecked")
        List<String> audienceRequired = spec.getComponents().getSchemas().get("Audience").getRequired();
        List<String> linked = new ArrayList<>();
        operations.values().forEach(t -> t.operation().getResponses().forEach((status, r) -> {
            ApiResponse response = r.get$ref() == null ? r : spec.getComponents().getResponses().get(refName(r.get$ref()));
            MediaType json = response.getContent() == null ? null : response.getContent().get("application/json");
            if (json == null || !AUDIENCE_SCHEMA.equals(json.getSchema().get$ref())) {
                return;
            }
            Map<String, Link> links = links(t.operationId(), status);
            assertThat(t.operationId() + " " + status + " links to every audience operation",
                    new TreeSet<>(links.keySet()), equalTo(onAudience));
            links.forEach((target, link) -> {
                assertThat(target + " link has a description", link.getDescription(), not(nullValue()));
                assertThat(target + " link supplies every required parameter",
                        operations.get(target).operation().getParameters().stream()
                                .map(p -> p.get$ref() == null ? p : spec.getComponents().getParameters().get(refName(p.get$ref())))
                                .filter(p -> Boolean.TRUE.equals(p.getRequired())).map(Parameter::getName).toList(),
                        everyItem(isIn(link.getParameters().keySet())));
                link.getParameters().forEach((name, expression) -> {
                    parameter(operations.get(target).operation(), name);
                    String text = expression;
                    assertThat(text, startsWith("$response.body#/"));
                    String property = text.substring("$response.body#/".length());
                    assertThat(target + ": " + text + " names a required Audience property",
                            audienceRequired, hasItem(property));
                });
            });
            linked.add(t.operationId() + " " + status);
        }));
        assertThat(new TreeSet<>(linked), equalTo(new TreeSet<>(List.of("createAudience 201", "getAudience 200",
                "updateAudience 200", "refreshAudience 200", "pauseAudience 200", "resumeAudience 200"))));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Following links
    // ---------------------------------------------------------------------------------------------------------

    private static String evaluate(String expression, String body) {
        assertThat("only $response.body expressions are followed", expression, startsWith("$response.body#"));
        try {
            JsonNode value = JSON.readTree(body).at(expression.substring("$response.body#".length()));
            assertThat(expression + " resolves in " + body, value.isMissingNode() || value.isNull(), is(false));
            return value.asText();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /**
     * Calls the operation that the link on {@code from}'s {@code status} response names for {@code target}, with
     * the link's parameters evaluated against {@code body} (that response's body). The request carries only the
     * credential; project and audience come from the link. {@code extra} adds what the link cannot know (a
     * request body, a sample size).
     */
    private Response follow(String from, String status, String body, String target, UnaryOperator<RequestSpecification> extra) {
        return follow(tenant.token(), from, status, body, target, extra);
    }

    private Response follow(String token, String from, String status, String body, String target,
                            UnaryOperator<RequestSpecification> extra) {
        Link link = links(from, status).get(target);
        assertThat(from + " " + status + " links to " + target, link, notNullValue());
        Target op = operations.get(target);
        RequestSpecification request = given().header("Authorization", "Bearer " + token);
        String path = op.path();
        for (Map.Entry<String, String> p : link.getParameters().entrySet()) {
            Parameter parameter = parameter(op.operation(), p.getKey());
            String value = evaluate(p.getValue(), body);
            switch (parameter.getIn()) {
                case "path" -> path = path.replace("{" + parameter.getName() + "}", value);
                case "query" -> request.queryParam(parameter.getName(), value);
                case "header" -> request.header(parameter.getName(), value);
                default -> fail("cannot send a " + parameter.getIn() + " parameter");
            }
        }
        assertThat("the link fills every path parameter of " + op.path(), path.contains("{"), is(false));
        return extra.apply(request).request(op.method(), path);
    }

    private Response follow(String from, String status, String body, String target) {
        return follow(from, status, body, target, UnaryOperator.identity());
    }

    private static UnaryOperator<RequestSpecification> jsonBody(Map<String, Object> body) {
        return r -> r.contentType("application/json").body(body);
    }

    /** A valid request body when the target takes one (a rename), nothing otherwise. */
    private UnaryOperator<RequestSpecification> validBodyFor(String target, String name) {
        return operations.get(target).operation().getRequestBody() == null ? UnaryOperator.identity()
                : jsonBody(Map.of("name", name));
    }

    /** Follows the getAudience link of a response until the audience is {@code status}; returns the last read. */
    private Response awaitVia(String from, String fromStatus, String body, String status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        String last = body;
        while (Instant.now().isBefore(deadline)) {
            Response read = follow(from, fromStatus, body, "getAudience");
            read.then().statusCode(200);
            if (status.equals(read.path("status"))) {
                return read;
            }
            last = read.asString();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("audience did not reach " + status + ": " + last);
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The chain
    // ---------------------------------------------------------------------------------------------------------

    /** The record ids the audience must hold, computed from the fixture (all days landed, window ends today). */
    private Set<Long> expectedRecordIds() {
        Set<Integer> keys = Set.of(data.topicKey(data.topicIds.get(0)), data.topicKey(data.topicIds.get(1)));
        LocalDate from = TODAY.minusDays(WINDOW_DAYS - 1);
        Set<Long> profiles = data.signals.stream().filter(s -> keys.contains(s.topicKey()) && !s.day().isBefore(from)
                && !s.day().isAfter(TODAY)).map(UpstreamFixture.Signal::profileId).collect(Collectors.toSet());
        return data.records.stream().filter(r -> profiles.contains(r.profileId())).map(UpstreamFixture.ContactRecord::id)
                .collect(Collectors.toSet());
    }

    private Set<Long> expectedProfileIds() {
        Set<Long> records = expectedRecordIds();
        return data.records.stream().filter(r -> records.contains(r.id())).map(UpstreamFixture.ContactRecord::profileId)
                .collect(Collectors.toSet());
    }

    private List<Long> listedIds() {
        Target list = operations.get("listAudiences");
        return as(tenant.token()).queryParam("project_id", tenant.project().id().toString()).queryParam("limit", 200)
                .request(list.method(), list.path()).then().statusCode(200).extract().jsonPath()
                .getList("audiences.id", Long.class);
    }

    @Test
    void theWholeLifecycleFollowsTheLinksAndEveryLinkAnswers404AfterTheDelete() throws IOException {
        Set<Long> expected = expectedRecordIds();
        assertThat("the fixture yields an audience larger than the sample", expected.size(), greaterThan(SAMPLE_LIMIT));
        String project = tenant.project().id().toString();

        // create: the entry point, from the spec's createAudience.
        Target createOp = operations.get("createAudience");
        Response created = as(tenant.token()).header("X-Project-Id", project)
                .body(Map.of("name", "Chain", "type", "intents", "intent_window_days", WINDOW_DAYS,
                        "filter", and(rule("INTENT", "in", List.of(data.topicIds.get(0), data.topicIds.get(1))))))
                .request(createOp.method(), createOp.path());
        created.then().statusCode(201).contentType("application/json")
                .header("ETag", notNullValue())
                .body("name", equalTo("Chain"))
                .body("type", equalTo("intents"))
                .body("segmentation_type", equalTo("Audience"))
                .body("intent_window_days", equalTo(WINDOW_DAYS))
                .body("refresh_schedule", equalTo("daily"))
                .body("status", equalTo("Pending"))
                .body("record_count", equalTo(0))
                .body("project_id", equalTo(project))
                .body("organization_id", equalTo(tenant.organization().id().toString()))
                .body("renew_time", notNullValue())
                .body("paused_at", nullValue())
                .body("pause_reason", nullValue());
        String createdBody = created.asString();
        long id = created.jsonPath().getLong("id");
        String renew = created.path("renew_time");
        created.then().header("Location", "/api/v1/audiences/" + id);

        // get, by the create response's link: the stored audience.
        Response got = follow("createAudience", "201", createdBody, "getAudience");
        got.then().statusCode(200).header("ETag", notNullValue())
                .body("id", equalTo((int) id))
                .body("name", equalTo("Chain"))
                .body("project_id", equalTo(project))
                .body("filter.rules[0].conditionRules.value", equalTo(List.of(data.topicIds.get(0), data.topicIds.get(1))))
                .body("renew_time", equalTo(renew))
                .body("created_at", equalTo(created.path("created_at")));

        // list: the collection (not a link target) holds it.
        assertThat(listedIds(), hasItem(id));

        // pause, by the get response's link, and the stored pause through the pause response's get link.
        Response paused = follow("getAudience", "200", got.asString(), "pauseAudience");
        paused.then().statusCode(200)
                .body("id", equalTo((int) id))
                .body("pause_reason", equalTo("manual"))
                .body("paused_at", notNullValue())
                .body("renew_time", nullValue())
                .body("previous_renew_time", equalTo(renew));
        follow("pauseAudience", "200", paused.asString(), "getAudience").then().statusCode(200)
                .body("pause_reason", equalTo("manual"))
                .body("paused_at", equalTo(paused.path("paused_at")))
                .body("renew_time", nullValue())
                .body("previous_renew_time", equalTo(renew));
        follow("pauseAudience", "200", paused.asString(), "pauseAudience").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("audience_already_paused"))
                .body("pause_reason", equalTo("manual"));
        follow("pauseAudience", "200", paused.asString(), "refreshAudience").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("audience_paused"))
                .body("pause_reason", equalTo("manual"));

        // resume, by the pause response's link: the stashed (future) renewal comes back.
        Response resumed = follow("pauseAudience", "200", paused.asString(), "resumeAudience");
        resumed.then().statusCode(200)
                .body("pause_reason", nullValue())
                .body("paused_at", nullValue())
                .body("previous_renew_time", nullValue())
                .body("renew_time", equalTo(renew));
        follow("resumeAudience", "200", resumed.asString(), "getAudience").then().statusCode(200)
                .body("pause_reason", nullValue())
                .body("renew_time", equalTo(renew));
        follow("resumeAudience", "200", resumed.asString(), "resumeAudience").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("audience_not_paused"));

        // The first build completes (refreshing mid-write would be a documented 409, not part of this chain).
        Response first = awaitVia("resumeAudience", "200", resumed.asString(), "Completed");
        first.then().body("record_count", equalTo(expected.size()))
                .body("data_through", equalTo(TODAY.toString()));

        // refresh, by the get response's link: back to Pending with the task cleared, the old counts kept.
        Response refreshed = follow("getAudience", "200", first.asString(), "refreshAudience");
        refreshed.then().statusCode(200)
                .body("status", equalTo("Pending"))
                .body("task_id", nullValue())
                .body("record_count", equalTo(expected.size()));
        Response done = awaitVia("refreshAudience", "200", refreshed.asString(), "Completed");
        done.then()
                .body("record_count", equalTo(expected.size()))
                .body("distinct_profile_count", equalTo(expectedProfileIds().size()))
                .body("data_through", equalTo(TODAY.toString()))
                .body("last_built_at", notNullValue())
                .body("error", nullValue());
        String doneBody = done.asString();
        long recordCount = done.jsonPath().getLong("record_count");

        // sample, by the get response's link: non-empty, the limit honoured, most frequent first, all members.
        JsonPath sample = follow("getAudience", "200", doneBody, "getAudienceSample",
                r -> r.queryParam("limit", SAMPLE_LIMIT)).then().statusCode(200).extract().jsonPath();
        List<Long> sampled = sample.getList("contacts.record_id", Long.class);
        assertThat(sampled.size(), is((int) Math.min(SAMPLE_LIMIT, recordCount)));
        assertThat(sampled, everyItem(isIn(expected)));
        List<Integer> frequencies = sample.getList("contacts.intent_frequency", Integer.class);
        for (int i = 1; i < frequencies.size(); i++) {
            assertThat("most frequent first", frequencies.get(i), lessThanOrEqualTo(frequencies.get(i - 1)));
        }
        assertThat(sample.getString("build_id"), notNullValue());

        // download, by the get response's link: one CSV row per record, exactly the members, the sampled build.
        Response download = follow("getAudience", "200", doneBody, "downloadAudience");
        download.then().statusCode(200).contentType(startsWith("text/csv"))
                .header("X-Audience-Build-Id", sample.getString("build_id"));
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(download.asString()),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            rows = parser.getRecords();
        }
        assertThat((long) rows.size(), is(recordCount));
        assertThat(rows.stream().map(r -> Long.parseLong(r.get("record_id"))).collect(Collectors.toSet()), equalTo(expected));

        // update, by the get response's link: a rename keeps the build; the get link of the update shows it.
        Response updated = follow("getAudience", "200", doneBody, "updateAudience",
                jsonBody(Map.of("name", "Chain renamed")));
        updated.then().statusCode(200).header("ETag", notNullValue())
                .body("name", equalTo("Chain renamed"))
                .body("status", equalTo("Completed"))
                .body("record_count", equalTo(expected.size()));
        follow("updateAudience", "200", updated.asString(), "getAudience").then().statusCode(200)
                .body("name", equalTo("Chain renamed"));

        // The links are not capabilities: another organization following every one of them (with valid bodies)
        // gets 404 for the project the link names, and the audience is untouched.
        Tenant outsider = tenant("Chain outsider");
        for (String target : links("updateAudience", "200").keySet()) {
            Response foreign = follow(outsider.token(), "updateAudience", "200", updated.asString(), target,
                    validBodyFor(target, "Hijacked"));
            assertThat(target + " by another organization: " + foreign.asString(), foreign.statusCode(), is(404));
            foreign.then().contentType("application/problem+json").body("code", equalTo(documentedNotFoundCode(target)));
        }
        follow("updateAudience", "200", updated.asString(), "getAudience").then().statusCode(200)
                .body("name", equalTo("Chain renamed"))
                .body("status", equalTo("Completed"))
                .body("pause_reason", nullValue())
                .body("last_built_at", equalTo(done.path("last_built_at")));

        // delete, by the update response's link.
        Response deleted = follow("updateAudience", "200", updated.asString(), "deleteAudience");
        deleted.then().statusCode(204);
        assertThat(deleted.asString(), is(""));

        // Use after delete: every link of the create response answers 404 with the documented code.
        Map<String, Link> links = links("createAudience", "201");
        assertThat(new TreeSet<>(links.keySet()), equalTo(audienceOperations()));
        for (String target : links.keySet()) {
            String code = documentedNotFoundCode(target);
            Response gone = follow("createAudience", "201", createdBody, target, validBodyFor(target, "Gone"));
            assertThat(target + " after delete: " + gone.asString(), gone.statusCode(), is(404));
            gone.then().contentType("application/problem+json")
                    .body("status", equalTo(404))
                    .body("code", equalTo(code))
                    // The audience is what is gone: the project the link names still resolves.
                    .body("detail", equalTo("Audience not found."))
                    .body("request_id", notNullValue());
        }
        assertThat(listedIds(), not(hasItem(id)));
    }
}
