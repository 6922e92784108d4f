package io.audiences.contract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * A credential reaches its organization and all descendants, and nothing else (404): a 10-level chain,
 * siblings, an organization without enterprise and one with an enterprise, each with a user and an API key.
 */
class TenancyTest extends ServerTestBase {

    private static final int DEPTH = 10;

    /** Organizations in creation order (= listing order). */
    private final List<String> organizations = new ArrayList<>();
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    /** Projects in creation order, with their organization. */
    private final LinkedHashMap<String, String> projectOrganization = new LinkedHashMap<>();
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, ApiClient> keys = new HashMap<>();
    private final List<String> chain = new ArrayList<>();
    private String sibling1;
    private String sibling2;
    private String enterpriseRoot;
    private String enterpriseChild;
    private String enterpriseId;

    @BeforeAll
    void buildTree() {
        Tenant a = tenant("Chain root");
        root(a);
        chain.add(a.organization().id().toString());
        for (int level = 2; level <= DEPTH; level++) {
            chain.add(child(a.token(), "Level " + level, chain.getLast()));
        }
        sibling1 = child(a.token(), "Sibling 1", chain.getFirst());
        sibling2 = child(a.token(), "Sibling 2", chain.getFirst());

        Tenant b = tenant("Enterprise root", Optional.of("Ent"));
        root(b);
        enterpriseRoot = b.organization().id().toString();
        enterpriseId = b.organization().enterpriseId().toString();
        enterpriseChild = child(b.token(), "Enterprise child", enterpriseRoot);

        for (String org : organizations) {
            String rootToken = subtree(chain.getFirst()).contains(org) ? a.token() : b.token();
            if (!tokens.containsKey(org)) {
                tokens.put(org, userToken(rootToken, org));
                String project = as(rootToken).body(Map.of("name", "Project of " + names.get(org), "organization_id", org))
                        .post("/api/v1/projects").then().statusCode(201).extract().path("project_id");
                projectOrganization.put(project, org);
            }
            keys.put(org, apiClient(tokens.get(org), "key of " + names.get(org), true));
        }
    }

    private void root(Tenant t) {
        String id = t.organization().id().toString();
        organizations.add(id);
        names.put(id, t.organization().name());
        tokens.put(id, t.token());
        projectOrganization.put(t.project().id().toString(), id);
    }

    private String child(String token, String name, String parentId) {
        String id = childOrganization(token, name, parentId);
        organizations.add(id);
        parent.put(id, parentId);
        names.put(id, name);
        return id;
    }

    /** The organization and its descendants, in creation order. */
    private List<String> subtree(String org) {
        return organizations.stream().filter(o -> {
            for (String cur = o; cur != null; cur = parent.get(cur)) {
                if (cur.equals(org)) {
                    return true;
                }
            }
            return false;
        }).toList();
    }

    private List<String> projectsOf(List<String> orgs) {
        return projectOrganization.entrySet().stream().filter(e -> orgs.contains(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private RequestSpecification key(String org) {
        ApiClient k = keys.get(org);
        return withKey(k.apiKey(), k.apiSecret());
    }

    /** Follows next_cursor through every page, checking page sizes; returns the ids in order. */
    private List<String> allPages(Function<String, JsonPath> page, String listField, String idField, int limit) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonPath body = page.apply(cursor);
            List<String> items = body.getList(listField + "." + idField);
            assertThat(items.size(), lessThanOrEqualTo(limit));
            ids.addAll(items);
            cursor = body.getString("next_cursor");
            if (cursor == null) {
                return ids;
            }
            assertThat("a page with a next_cursor is full", items.size(), is(limit));
        }
        throw new AssertionError("pagination does not end");
    }

    private JsonPath organizationsPage(String token, int limit, String cursor) {
        RequestSpecification spec = as(token).queryParam("limit", limit);
        if (cursor != null) {
            spec.queryParam("cursor", cursor);
        }
        return spec.get("/api/v1/organizations").then().statusCode(200).extract().jsonPath();
    }

    private JsonPath projectsPage(RequestSpecification spec, int limit, String cursor) {
        spec.queryParam("limit", limit);
        if (cursor != null) {
            spec.queryParam("cursor", cursor);
        }
        return spec.get("/api/v1/projects").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void treeHasTheExpectedShape() {
        assertThat(organizations.size(), is(DEPTH + 4));
        assertThat(subtree(chain.getFirst()).size(), is(DEPTH + 2));
        assertThat(subtree(chain.getLast()), equalTo(List.of(chain.getLast())));
    }

    @Test
    void eachUserSeesExactlyItsSubtreeOfOrganizationsAcrossPages() {
        for (String org : organizations) {
            List<String> expected = subtree(org);
            String token = tokens.get(org);
            assertThat(names.get(org), allPages(c -> organizationsPage(token, 3, c), "organizations",
                    "organization_id", 3), equalTo(expected));
            JsonPath single = organizationsPage(token, 200, null);
            assertThat(single.getList("organizations.organization_id"), equalTo(expected));
            assertThat(single.getString("next_cursor"), nullValue());
        }
    }

    @Test
    void organizationsCarryParentAndEnterprise() {
        JsonPath chainList = organizationsPage(tokens.get(chain.getFirst()), 200, null);
        for (String org : subtree(chain.getFirst())) {
            Map<String, Object> o = chainList.getMap("organizations.find { it.organization_id == '" + org + "' }");
            assertThat(o.get("parent_organization_id"), equalTo(parent.get(org)));
            assertThat(o.get("enterprise_id"), nullValue());
            assertThat(o.get("name"), equalTo(names.get(org)));
            assertThat(o.get("status"), equalTo("active"));
        }
        as(tokens.get(enterpriseRoot)).get("/api/v1/organizations/" + enterpriseChild).then().statusCode(200)
                .body("enterprise_id", equalTo(enterpriseId))
                .body("parent_organization_id", equalTo(enterpriseRoot));
        as(tokens.get(enterpriseChild)).get("/api/v1/organizations/" + enterpriseChild).then().statusCode(200)
                .body("enterprise_id", equalTo(enterpriseId));
    }

    @Test
    void eachCredentialSeesExactlyItsSubtreeOfProjects() {
        for (String org : organizations) {
            List<String> expected = projectsOf(subtree(org));
            assertThat("user of " + names.get(org), allPages(c -> projectsPage(as(tokens.get(org)), 2, c), "projects",
                    "project_id", 2), equalTo(expected));
            assertThat("key of " + names.get(org), allPages(c -> projectsPage(key(org), 2, c), "projects",
                    "project_id", 2), equalTo(expected));
        }
    }

    @Test
    void everythingOutsideTheSubtreeIs404AndInsideIs200() {
        // Every user against every organization.
        for (String caller : organizations) {
            List<String> reachable = subtree(caller);
            String token = tokens.get(caller);
            for (String target : organizations) {
                int status = reachable.contains(target) ? 200 : 404;
                as(token).get("/api/v1/organizations/" + target).then().statusCode(status);
            }
        }
        // Projects, API keys and writes: the top, middle and bottom of the chain, a sibling and the enterprise child.
        for (String caller : List.of(chain.getFirst(), chain.get(4), chain.getLast(), sibling1, enterpriseChild)) {
            List<String> reachable = subtree(caller);
            String token = tokens.get(caller);
            for (String project : projectOrganization.keySet()) {
                int status = reachable.contains(projectOrganization.get(project)) ? 200 : 404;
                as(token).get("/api/v1/projects/" + project).then().statusCode(status);
                key(caller).get("/api/v1/projects/" + project).then().statusCode(status);
            }
            List<String> outside = organizations.stream().filter(o -> !reachable.contains(o)).toList();
            for (String target : outside) {
                as(token).body(Map.of("name", "hijacked")).patch("/api/v1/organizations/" + target).then()
                        .statusCode(404).contentType("application/problem+json").body("code", equalTo("not_found"));
            }
            as(token).body(Map.of("status", "inactive")).patch("/api/v1/organizations/" + outside.getFirst()).then()
                    .statusCode(404);
            for (String project : projectsOf(outside)) {
                as(token).body(Map.of("name", "hijacked")).patch("/api/v1/projects/" + project).then()
                        .statusCode(404).contentType("application/problem+json").body("code", equalTo("not_found"));
            }
        }
        // Nothing was changed by the refused writes.
        for (String org : organizations) {
            as(tokens.get(org)).get("/api/v1/organizations/" + org).then().statusCode(200)
                    .body("name", equalTo(names.get(org))).body("status", equalTo("active"));
        }
        for (String project : projectOrganization.keySet()) {
            as(tokens.get(projectOrganization.get(project))).get("/api/v1/projects/" + project).then().statusCode(200)
                    .body("name", org.hamcrest.Matchers.not(equalTo("hijacked")));
        }
        // Ids that exist nowhere look exactly like ids of other tenants.
        as(tokens.get(chain.getFirst())).get("/api/v1/organizations/" + UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("not_found"));
        as(tokens.get(chain.getFirst())).get("/api/v1/projects/" + UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("not_found"));
    }

    @Test
    void projectListingFiltersByReachableOrganization() {
        String level5 = chain.get(4);
        List<String> own = projectsOf(List.of(level5));
        assertThat(own.size(), is(1));
        for (String caller : List.of(chain.getFirst(), chain.get(2), level5)) {
            as(tokens.get(caller)).queryParam("organization_id", level5).get("/api/v1/projects").then().statusCode(200)
                    .body("projects.project_id", equalTo(own));
            key(caller).queryParam("organization_id", level5).get("/api/v1/projects").then().statusCode(200)
                    .body("projects.project_id", equalTo(own));
        }
        // An unreachable organization (an ancestor, a sibling, another tenant, or nothing) gives an empty page.
        for (String unreachable : List.of(chain.get(3), sibling1, enterpriseRoot, UUID.randomUUID().toString())) {
            as(tokens.get(level5)).queryParam("organization_id", unreachable).get("/api/v1/projects").then()
                    .statusCode(200).body("projects", equalTo(List.of())).body("next_cursor", nullValue());
            key(level5).queryParam("organization_id", unreachable).get("/api/v1/projects").then()
                    .statusCode(200).body("projects", equalTo(List.of()));
        }
        as(tokens.get(sibling1)).queryParam("organization_id", sibling2).get("/api/v1/projects").then()
                .statusCode(200).body("projects", equalTo(List.of()));
        as(tokens.get(level5)).queryParam("organization_id", "not-a-uuid").get("/api/v1/projects").then()
                .statusCode(400).body("code", equalTo("invalid_parameter"))
                .body("errors[0].pointer", equalTo("organization_id"));
    }

    @Test
    void createInDescendantsAndNotOutside() {
        Tenant c = tenant("Creator");
        String creatorRoot = c.organization().id().toString();
        String middle = childOrganization(c.token(), "Creator middle", null);
        String leaf = childOrganization(c.token(), "Creator leaf", middle);
        as(c.token()).get("/api/v1/organizations/" + leaf).then().statusCode(200)
                .body("parent_organization_id", equalTo(middle));

        var project = as(c.token()).body(Map.of("name", "Deep project", "organization_id", leaf))
                .post("/api/v1/projects").then().statusCode(201)
                .body("organization_id", equalTo(leaf))
                .body("name", equalTo("Deep project"))
                .body("status", equalTo("active"))
                .extract();
        String projectId = project.path("project_id");
        assertThat(project.header("Location"), is("/api/v1/projects/" + projectId));
        as(c.token()).queryParam("organization_id", leaf).get("/api/v1/projects").then().statusCode(200)
                .body("projects.project_id", equalTo(List.of(projectId)));

        String middleToken = userToken(c.token(), middle);
        for (String unreachable : List.of(creatorRoot, enterpriseRoot, chain.get(3), UUID.randomUUID().toString())) {
            as(middleToken).body(Map.of("name", "Intruder", "parent_organization_id", unreachable))
                    .post("/api/v1/organizations").then().statusCode(404).body("code", equalTo("not_found"));
            as(middleToken).body(Map.of("name", "Intruder", "organization_id", unreachable))
                    .post("/api/v1/projects").then().statusCode(404).body("code", equalTo("not_found"));
        }
        // Nothing was created by the refused calls.
        as(c.token()).get("/api/v1/organizations").then().statusCode(200)
                .body("organizations.organization_id", equalTo(List.of(creatorRoot, middle, leaf)));
        as(c.token()).get("/api/v1/projects").then().statusCode(200)
                .body("projects.project_id", equalTo(List.of(c.project().id().toString(), projectId)));
        // Default parent and owner: the caller's organization.
        as(middleToken).body(Map.of("name", "Under middle")).post("/api/v1/organizations").then().statusCode(201)
                .body("parent_organization_id", equalTo(middle));
        as(middleToken).body(Map.of("name", "Middle project")).post("/api/v1/projects").then().statusCode(201)
                .body("organization_id", equalTo(middle));
        assertThat(tokens.get(chain.getFirst()), notNullValue());
    }
}
