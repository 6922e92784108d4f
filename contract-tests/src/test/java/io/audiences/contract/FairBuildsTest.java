package io.audiences.contract;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Builds are shared between tenants: one tenant's backlog does not starve another, and a tenant's backlog is
 * bounded. Every build here takes at least {@link #BUILD} (the test hold on the snapshot transaction), on two
 * workers, so a queue of sixty builds is about a minute of work.
 */
@Isolated
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FairBuildsTest extends AudienceTestBase {

    private static final long BUILD = 2000;
    private static final int BACKLOG = 60;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.builds.workers", "2");
        overrides.put("audiences.builds.test-snapshot-hold", "PT" + BUILD / 1000.0 + "S");
        overrides.put("audiences.builds.backlog", Integer.toString(BACKLOG));
        return overrides;
    }

    private static Map<String, Object> persona(String name) {
        return Map.of("name", name, "type", "elixir", "filter", and(rule("seniority_level", "in", List.of("vp"))));
    }

    private RequestSpecification scoped(Tenant t) {
        return as(t.token()).header("X-Project-Id", t.project().id().toString());
    }

    private Response post(Tenant t, String path, Object body) {
        RequestSpecification spec = scoped(t);
        return (body == null ? spec : spec.body(body)).post(path);
    }

    @Test
    @Order(1)
    void anotherTenantsRefreshIsBuiltWhileOneTenantHasSixtyQueued() throws Exception {
        Tenant busy = tenant("Busy tenant");
        Tenant other = tenant("Other tenant");
        long audience = create(other, persona("Other's audience"));
        await(other, audience, "Completed");

        queue(busy, BACKLOG);
        long refreshed = System.nanoTime();
        post(other, "/api/v1/audiences/" + audience + "/refresh", null).then().statusCode(200)
                .body("status", equalTo("Pending"));
        await(other, audience, "Completed");
        long millis = (System.nanoTime() - refreshed) / 1_000_000;
        long stillQueued = pendingBuildsOf(busy);
        System.out.printf("[fair builds, %s] other tenant's refresh completed in %d ms (one build: %d ms) with %d of "
                + "the busy tenant's %d builds still queued%n", TestDatabase.engine(), millis, BUILD, stillQueued, BACKLOG);
        // The refresh went ahead of the busy tenant's queue instead of waiting for it (10 builds are 10 s more).
        assertThat(stillQueued, greaterThanOrEqualTo(10L));
        assertThat(millis, lessThan(4 * BUILD));
    }

    @Test
    @Order(2)
    void beyondTheBacklogCreatesAndRefreshesAre429AndQueueNothing() throws Exception {
        Tenant full = tenant("Full tenant");
        long built = create(full, persona("Built before"));
        await(full, built, "Completed");
        String child = childOrganization(full.token(), "Child of full", null);
        String childProject = as(full.token()).body(Map.of("name", "Child project", "organization_id", child))
                .post("/api/v1/projects").then().statusCode(201).extract().path("project_id");
        // From here on nothing is built: the backlog only fills up.
        app.buildWorkers().stopClaiming();

        queue(full, BACKLOG);
        long audiences = audiencesOf(full);
        Response refused = post(full, "/api/v1/audiences", persona("One too many"));
        refused.then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", "10").body("code", equalTo("build_backlog_full"));
        // A descendant organization shares its tenant's backlog.
        as(full.token()).header("X-Project-Id", childProject).body(persona("Child's one too many"))
                .post("/api/v1/audiences").then().statusCode(429).body("code", equalTo("build_backlog_full"));
        post(full, "/api/v1/audiences/" + built + "/refresh", null).then().statusCode(429)
                .header("Retry-After", "10").body("code", equalTo("build_backlog_full"));
        // An edit that needs a rebuild queues one too; an edit that does not is still accepted.
        scoped(full).body(Map.of("intent_window_days", 14)).patch("/api/v1/audiences/" + built).then().statusCode(429)
                .body("code", equalTo("build_backlog_full"));
        scoped(full).body(Map.of("name", "Renamed")).patch("/api/v1/audiences/" + built).then().statusCode(200)
                .body("status", equalTo("Completed"));

        assertThat(audiencesOf(full), is(audiences));
        assertThat(pendingBuildsOf(full), is((long) BACKLOG));
        assertThat(get(full, built).getString("status"), is("Completed"));
        assertThat(get(full, built).getInt("intent_window_days"), is(1));
        // Another tenant is not held back by this one's backlog.
        Tenant other = tenant("Unaffected tenant");
        create(other, persona("Still accepted"));
    }

    /** Creates {@code n} audiences, four requests at a time (on a loaded machine, one at a time takes as long as the builds). */
    private void queue(Tenant t, int n) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Long>> created = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "Queued " + i;
                created.add(pool.submit(() -> create(t, persona(name))));
            }
            for (Future<Long> f : created) {
                f.get();
            }
        }
    }

    private long pendingBuildsOf(Tenant t) {
        return count("SELECT COUNT(*) FROM audience_build b JOIN audience a ON a.id = b.audience_id "
                + "WHERE a.organization_id = ? AND b.status = 'Pending'", t.organization().id());
    }

    private long audiencesOf(Tenant t) {
        return count("SELECT COUNT(*) FROM audience a JOIN organization_closure c ON c.descendant_id = a.organization_id "
                + "WHERE c.ancestor_id = ?", t.organization().id());
    }

    private long count(String sql, UUID organization) {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, organization);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
