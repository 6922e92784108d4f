package io.audiences.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.audiences.server.platform.Contract;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * HTTP semantics a client of any well-behaved API relies on: 405 with {@code Allow}, HEAD and OPTIONS, unknown query
 * parameters refused, problem types that resolve to a page, conditional changes with {@code If-Match}, and one
 * paging style (cursor, {@code limit}, {@code next_cursor}) with sort and a name filter on audiences.
 */
class HttpSemanticsTest extends AudienceTestBase {

    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Semantics");
    }

    /** Requests the contract does not declare skip the response validator (it has no operation to check them by). */
    private RequestSpecification raw() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(app.port()).filter(ContractCoverage.FILTER);
    }

    private RequestSpecification scoped() {
        return as(tenant.token()).header("X-Project-Id", tenant.project().id().toString());
    }

    private Map<String, Object> audience(String name) {
        return Map.of("name", name, "type", "elixir", "filter", and(rule("company_employee_count", "gte", 51)));
    }

    @Test
    void aWrongMethodIs405WithTheMethodsTheContractDeclares() {
        raw().header("Authorization", "Bearer " + tenant.token()).delete("/api/v1/projects").then()
                .statusCode(405)
                .contentType("application/problem+json")
                .header("Allow", "POST, GET, HEAD, OPTIONS")
                .body("code", equalTo("method_not_allowed"))
                .body("type", equalTo("/docs/errors#method_not_allowed"));
        raw().put("/api/v1/audiences/12").then().statusCode(405).header("Allow", "GET, HEAD, PATCH, DELETE, OPTIONS");
        raw().post("/health").then().statusCode(405).header("Allow", "GET, HEAD, OPTIONS");
        // A path the contract does not have at all stays 404.
        raw().delete("/api/v1/nope").then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void everyPathAnswersOptionsWithItsMethods() {
        Contract contract = Contract.load();
        for (Contract.Operation op : contract.operations()) {
            String path = op.template().replaceAll("\\{[^}]+}", "1");
            Response response = raw().options(path);
            assertThat(op.template(), response.statusCode(), equalTo(204));
            List<String> allow = List.of(response.header("Allow").split(", "));
            assertThat(op.template(), allow, containsInAnyOrder(expectedAllow(contract, path).toArray()));
        }
    }

    private static List<String> expectedAllow(Contract contract, String path) {
        List<String> methods = new ArrayList<>(contract.methodsOf(path));
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        methods.add("OPTIONS");
        return methods;
    }

    @Test
    void headAnswersAsGetWithoutTheBody() {
        long id = create(tenant, audience("Head check"));
        // Built first: a build moving the audience on between the GET and the HEAD changed the length compared (CI).
        await(tenant, id, "Completed");
        String path = "/api/v1/audiences/" + id + "?project_id=" + tenant.project().id();
        Response get = as(tenant.token()).get(path).then().statusCode(200).extract().response();
        Response head = raw().header("Authorization", "Bearer " + tenant.token()).head(path).then().statusCode(200)
                .extract().response();
        assertThat(head.asByteArray().length, equalTo(0));
        assertThat(head.header("Content-Length"), equalTo(Integer.toString(get.asByteArray().length)));
        for (String name : List.of("Content-Type", "ETag", "Cache-Control", "X-RateLimit-Limit", "RateLimit-Policy")) {
            assertThat(name, head.header(name), equalTo(get.header(name)));
        }
        // Every GET of the contract answers HEAD too (anonymously: its 401 or its own answer, never a 404 or 405).
        for (Contract.Operation op : Contract.load().operations()) {
            if (op.method().equals("GET")) {
                int status = raw().head(op.template().replaceAll("\\{[^}]+}", "1")).statusCode();
                assertThat(op.id(), status, not(equalTo(405)));
            }
        }
        Response problem = raw().head("/api/v1/projects");
        assertThat(problem.statusCode(), equalTo(401));
        assertThat(problem.asString(), emptyString());
    }

    @Test
    void unknownQueryParametersAre400NamingTheParameter() {
        scoped().queryParam("limt", 5).get("/api/v1/audiences").then()
                .statusCode(400)
                .body("code", equalTo("unknown_parameter"))
                .body("errors[0].pointer", equalTo("limt"))
                .body("detail", containsString("limt"));
        as(tenant.token()).queryParam("verbose", "true").get("/api/v1/organizations/" + tenant.organization().id())
                .then().statusCode(400).body("code", equalTo("unknown_parameter")).body("errors[0].pointer", equalTo("verbose"));
        // Every operation refuses them, before authentication (the request is malformed whoever sends it).
        for (Contract.Operation op : Contract.load().operations()) {
            given().queryParam("bogus_param", "1").request(op.method(), op.template().replaceAll("\\{[^}]+}", "1"))
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("unknown_parameter")).body("errors[0].pointer", equalTo("bogus_param"));
        }
        // Declared parameters, path-level ones included, pass.
        scoped().queryParam("limit", 5).queryParam("project_id", tenant.project().id().toString())
                .get("/api/v1/audiences").then().statusCode(200);
    }

    @Test
    void problemTypesResolveToASectionOfTheErrorsPage() {
        String type = raw().header("Authorization", "Bearer " + tenant.token()).get("/api/v1/projects/nope").then()
                .statusCode(400).extract().path("type");
        assertThat(type, startsWith("/docs/errors#"));
        String page = given().get(type.substring(0, type.indexOf('#'))).then().statusCode(200)
                .contentType("text/html").extract().asString();
        for (Contract.ProblemCode code : Contract.load().problemCodes()) {
            assertThat(page, containsString("<section id=\"" + code.code() + "\">"));
        }
        assertThat(page, containsString("id=\"" + type.substring(type.indexOf('#') + 1) + "\""));
        assertThat(Contract.load().problemCodes().stream().map(Contract.ProblemCode::code).toList(),
                org.hamcrest.Matchers.hasItems("unknown_parameter", "method_not_allowed", "precondition_failed",
                        "invalid_parameter", "validation_failed", "not_found", "rate_limited"));
    }

    /** Creates an audience and waits for its first build to end (builds move the version, and so the ETag). */
    private long settled(String name) {
        long id = create(tenant, audience(name));
        await(tenant, id, "Completed", "Failed");
        return id;
    }

    @Test
    void ifMatchChangesOnlyTheVersionItNames() {
        long id = settled("Conditional");
        String path = "/api/v1/audiences/" + id;
        String etag = scoped().get(path).then().statusCode(200).extract().header("ETag");
        String next = scoped().header("If-Match", etag).body(Map.of("name", "Conditional 2")).patch(path).then()
                .statusCode(200).body("name", equalTo("Conditional 2")).extract().header("ETag");
        assertThat(next, not(equalTo(etag)));
        scoped().header("If-Match", etag).body(Map.of("name", "Lost update")).patch(path).then()
                .statusCode(412)
                .contentType("application/problem+json")
                .body("code", equalTo("precondition_failed"))
                .body("detail", containsString(next));
        scoped().header("If-Match", etag).delete(path).then().statusCode(412).body("code", equalTo("precondition_failed"));
        scoped().get(path).then().statusCode(200).body("name", equalTo("Conditional 2"));
        // The strong form of the same tag names the same version (weak comparison), and * any version.
        String strong = next.substring(2);
        scoped().header("If-Match", strong).body(Map.of("description", "d")).patch(path).then().statusCode(200);
        scoped().header("If-Match", "*").delete(path).then().statusCode(204);
    }

    @Test
    void twoConcurrentChangesOfTheSameVersionCannotBothWin() throws Exception {
        for (int round = 0; round < 5; round++) {
            long id = settled("Race " + round);
            String path = "/api/v1/audiences/" + id;
            String etag = scoped().get(path).then().statusCode(200).extract().header("ETag");
            CyclicBarrier start = new CyclicBarrier(2);
            List<Callable<Integer>> writers = new ArrayList<>();
            for (String name : List.of("Writer A", "Writer B")) {
                writers.add(() -> {
                    start.await();
                    return scoped().header("If-Match", etag).body(Map.of("name", name)).patch(path).statusCode();
                });
            }
            List<Integer> statuses = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                for (Future<Integer> f : pool.invokeAll(writers)) {
                    statuses.add(f.get());
                }
            }
            assertThat(statuses, containsInAnyOrder(200, 412));
            // The stored version moved exactly once.
            String after = scoped().get(path).then().statusCode(200).extract().header("ETag");
            assertThat(version(after), equalTo(version(etag) + 1));
        }
    }

    private static long version(String etag) {
        return Long.parseLong(etag.substring(etag.lastIndexOf('-') + 1, etag.length() - 1));
    }

    @Test
    void textAnswersAreGzipCodedWhenAcceptedAndLargeEnough() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.URI openapi = java.net.URI.create("http://127.0.0.1:" + app.port() + "/openapi");
        var gzip = client.send(java.net.http.HttpRequest.newBuilder(openapi).header("Accept-Encoding", "gzip").build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        var plain = client.send(java.net.http.HttpRequest.newBuilder(openapi).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        ContractCoverage.record("GET", "/openapi", gzip.statusCode());
        ContractCoverage.record("GET", "/openapi", plain.statusCode());
        assertThat(gzip.headers().firstValue("Content-Encoding").orElse(""), equalTo("gzip"));
        assertThat(gzip.headers().firstValue("Vary").orElse(""), equalTo("Accept-Encoding"));
        assertThat(plain.headers().firstValue("Content-Encoding").isPresent(), equalTo(false));
        byte[] unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzip.body())).readAllBytes();
        assertThat(unzipped, equalTo(plain.body()));
        assertThat(plain.body(), equalTo(Contract.load().document()));
        assertThat(gzip.body().length * 4 < plain.body().length, equalTo(true));
        // A small JSON answer is not worth compressing.
        var health = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + app.port()
                + "/health")).header("Accept-Encoding", "gzip").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        ContractCoverage.record("GET", "/health", health.statusCode());
        assertThat(health.headers().firstValue("Content-Encoding").isPresent(), equalTo(false));
        // A large JSON list is (REST Assured asks for gzip and decodes it; the validator checks the decoded body).
        Tenant t = tenant("Gzip");
        for (int i = 0; i < 12; i++) {
            apiClient(t.token(), "gzip client " + i, true);
        }
        as(t.token()).get("/client/v1").then().statusCode(200).header("Content-Encoding", "gzip").body("total", equalTo(12));
    }

    @Test
    void corsIsOffByDefaultAndTheServedContractPointsAtItsOwnHost() {
        raw().header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
                .options("/api/v1/projects").then().statusCode(204)
                .header("Access-Control-Allow-Origin", nullValue());
        raw().header("Origin", "https://app.example.com").get("/health").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
        String document = given().get("/openapi").then().statusCode(200).extract().asString();
        assertThat(document, containsString("servers:\n  - url: /\n"));
    }

    @Test
    void apiClientsAndAppsPageWithLimitAndCursor() {
        Tenant t = tenant("Paging");
        for (int i = 0; i < 5; i++) {
            apiClient(t.token(), "client " + i, true);
            as(t.token()).body(Map.of("name", "app " + i)).post("/api/app/create").then().statusCode(201);
        }
        List<String> clients = new ArrayList<>();
        String cursor = null;
        do {
            var spec = as(t.token()).queryParam("limit", 2);
            if (cursor != null) {
                spec.queryParam("cursor", cursor);
            }
            var page = spec.get("/client/v1").then().statusCode(200).body("total", equalTo(5)).extract().jsonPath();
            assertThat(page.getList("clients").size(), org.hamcrest.Matchers.lessThanOrEqualTo(2));
            clients.addAll(page.getList("clients.name"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        assertThat(clients, equalTo(List.of("client 0", "client 1", "client 2", "client 3", "client 4")));

        List<String> apps = new ArrayList<>();
        cursor = null;
        do {
            var spec = as(t.token()).queryParam("limit", 3);
            if (cursor != null) {
                spec.queryParam("cursor", cursor);
            }
            var page = spec.get("/api/app/get").then().statusCode(200).body("response.total", equalTo(5)).extract().jsonPath();
            apps.addAll(page.getList("response.apps.name"));
            cursor = page.getString("response.next_cursor");
        } while (cursor != null);
        assertThat(apps, equalTo(List.of("app 0", "app 1", "app 2", "app 3", "app 4")));
        // Without limit, everything on one page as before, and no next_cursor.
        as(t.token()).get("/api/app/get").then().statusCode(200).body("response.apps", hasSize(5))
                .body("response.next_cursor", nullValue());
        as(t.token()).queryParam("limit", 0).get("/client/v1").then().statusCode(400)
                .body("code", equalTo("invalid_parameter"));
    }

    @Test
    void audiencesSortAndFilterByNameStablyAcrossPages() {
        Tenant t = tenant("Sorting");
        List<String> names = List.of("delta", "Alpha", "charlie", "Bravo buyers", "echo BUYERS", "alpha");
        for (String name : names) {
            create(t, audience(name));
        }
        var scopedT = (java.util.function.Supplier<RequestSpecification>) () ->
                as(t.token()).header("X-Project-Id", t.project().id().toString());
        assertThat(walk(scopedT, "name", null), equalTo(List.of("Alpha", "alpha", "Bravo buyers", "charlie", "delta", "echo BUYERS")));
        assertThat(walk(scopedT, "-name", null), equalTo(List.of("echo BUYERS", "delta", "charlie", "Bravo buyers", "alpha", "Alpha")));
        assertThat(walk(scopedT, "-created_at", null), equalTo(List.of("alpha", "echo BUYERS", "Bravo buyers", "charlie", "Alpha", "delta")));
        assertThat(walk(scopedT, "created_at", null), equalTo(names));
        assertThat(walk(scopedT, "name", "buyers"), equalTo(List.of("Bravo buyers", "echo BUYERS")));
        // A cursor of one order is refused by another.
        String cursor = scopedT.get().queryParam("sort", "name").queryParam("limit", 1).get("/api/v1/audiences")
                .then().statusCode(200).extract().path("next_cursor");
        scopedT.get().queryParam("sort", "-created_at").queryParam("cursor", cursor).get("/api/v1/audiences").then()
                .statusCode(400).body("code", equalTo("invalid_parameter")).body("errors[0].pointer", equalTo("cursor"));
        scopedT.get().queryParam("sort", "size").get("/api/v1/audiences").then().statusCode(400)
                .body("errors[0].pointer", equalTo("sort"));
    }

    /** Every page of the audience list at two per page, in {@code sort}, optionally filtered by name. */
    private List<String> walk(java.util.function.Supplier<RequestSpecification> spec, String sort, String name) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var request = spec.get().queryParam("sort", sort).queryParam("limit", 2);
            if (name != null) {
                request.queryParam("name", name);
            }
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var page = request.get("/api/v1/audiences").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("audiences.name"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        assertThat(seen, everyItem(not(nullValue())));
        return seen;
    }
}
