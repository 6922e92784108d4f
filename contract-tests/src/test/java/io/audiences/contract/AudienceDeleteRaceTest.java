package io.audiences.contract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * Deleting an audience while its first build runs. A build locks its build row, then the audience row; a delete that
 * took the audience row first could deadlock with it, which H2 broke with a 503 {@code database_busy}. Several clients
 * delete at once, each audience at another point of its build (queued, claimed, inside its snapshot transaction,
 * swapping the snapshot in, done), and every delete must answer 204 and leave no build behind.
 */
class AudienceDeleteRaceTest extends AudienceTestBase {

    private static final int CLIENTS = 4;
    private static final int AUDIENCES_PER_CLIENT = 6;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        // Each build keeps its snapshot transaction open a little, so deletes also land while it is open.
        overrides.put("audiences.builds.test-snapshot-hold", "PT0.1S");
        overrides.put("audiences.builds.workers", "4");
        overrides.put("audiences.builds.backlog", "100");
        return overrides;
    }

    @Test
    void deletesRacingTheirBuildsAllSucceed() throws Exception {
        Tenant tenant = tenant("Delete race");
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<List<Long>>> runs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                runs.add(clients.submit((Callable<List<Long>>) () -> createAndDelete(tenant, client)));
            }
            List<Long> deleted = new ArrayList<>();
            for (Future<List<Long>> run : runs) {
                deleted.addAll(run.get(120, TimeUnit.SECONDS));
            }
            assertThat(deleted.size(), is(CLIENTS * AUDIENCES_PER_CLIENT));
            for (long id : deleted) {
                as(tenant.token()).queryParam("project_id", tenant.project().id().toString())
                        .get("/api/v1/audiences/" + id).then().statusCode(404);
            }
            assertThat(buildsLeft(deleted), is(empty()));
        } finally {
            clients.shutdownNow();
        }
    }

    /** Creates audiences one after another and deletes each after a delay that differs from one to the next. */
    private List<Long> createAndDelete(Tenant tenant, int client) throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < AUDIENCES_PER_CLIENT; i++) {
            long id = create(tenant, Map.of("name", "Race " + client + "-" + i, "type", "elixir",
                    "filter", and(rule("company_employee_count", "gte", 51))));
            Thread.sleep(((long) client * AUDIENCES_PER_CLIENT + i) * 15 % 240);
            as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                    .delete("/api/v1/audiences/" + id).then().statusCode(204);
            ids.add(id);
        }
        return ids;
    }

    /** The audiences among {@code ids} that still have a build row (none may: the delete takes them along). */
    private List<Long> buildsLeft(List<Long> ids) {
        return app.database().inTransaction(tx -> {
            List<Long> left = new ArrayList<>();
            for (long id : ids) {
                long n = tx.get("SELECT COUNT(*) AS n FROM audience_build WHERE audience_id = ?", id).orElseThrow()
                        .column("n").get(Long.class);
                if (n > 0) {
                    left.add(id);
                }
            }
            return left;
        });
    }
}
