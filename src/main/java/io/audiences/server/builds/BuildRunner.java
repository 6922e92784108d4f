package io.audiences.server.builds;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.model.FilterGroup;
import io.audiences.server.catalog.CompiledFilter;
import io.audiences.server.catalog.FilterCompiler;
import io.audiences.server.catalog.TopicDirectory;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Json;

import io.helidon.dbclient.DbRow;

/**
 * Runs one claimed build: evaluates the audience's filter over the window ending at the newest landed day,
 * writes the member snapshot and swaps it in, all in one transaction, so a crash exposes nothing partial.
 * A build the database failed under (see {@link Database#isUnavailable}) is not marked failed: the exception
 * goes to {@link BuildWorkers}, which hands the build back once the database answers again.
 */
public final class BuildRunner {

    private static final Logger LOG = Logger.getLogger(BuildRunner.class.getName());

    private final Database db;
    private final BuildStore store;
    private final FilterCompiler compiler;
    private final TopicDirectory topics;
    private final Clock clock;
    private final Duration snapshotHold;

    /**
     * @param snapshotHold for tests only (zero otherwise): how long each build keeps its snapshot transaction open
     *                     before it commits, standing for a build too large to finish during a shutdown or an outage
     */
    public BuildRunner(Database db, BuildStore store, FilterCompiler compiler, TopicDirectory topics, Clock clock,
                       Duration snapshotHold) {
        this.db = db;
        this.store = store;
        this.compiler = compiler;
        this.topics = topics;
        this.clock = clock;
        this.snapshotHold = snapshotHold;
    }

    /** What the build needs from its audience. */
    private record Spec(String filterJson, int windowDays, boolean preview) { }

    public void run(BuildStore.Claim claim) {
        Optional<Spec> spec = db.client().execute().get("SELECT filter_json, intent_window_days, mode FROM audience "
                        + "WHERE id = ? AND latest_build_id = ?", claim.audienceId(), claim.buildId())
                .map(BuildRunner::spec);
        if (spec.isEmpty()) {
            store.supersede(claim, clock.now());
            return;
        }
        try {
            CompiledFilter filter = compiler.compile(Json.JSONB.fromJson(spec.get().filterJson(), FilterGroup.class), "/filter");
            Map<String, Integer> keys = topics.keys(filter.allTopics());
            List<List<Integer>> perRule = BuildStore.keysPerRule(filter, keys);
            Optional<LocalDate> through = store.landedThrough();
            // Without any landed day the window is empty: the build completes with no members.
            LocalDate to = through.orElse(LocalDate.EPOCH);
            LocalDate from = to.minusDays(spec.get().windowDays() - 1L);
            if (!store.markSyncing(claim, clock.now())) {
                return;
            }
            db.inTransaction(tx -> {
                store.writeMembers(tx, claim.buildId(), filter, perRule, from, through.isPresent() ? to : LocalDate.EPOCH.minusDays(1));
                BuildStore.Counts counts = store.counts(tx, claim.buildId(), through.orElse(null), spec.get().windowDays());
                hold();
                if (!store.complete(tx, claim, counts, through.orElse(null), !spec.get().preview(), clock.now())) {
                    throw new Stale();
                }
                return null;
            });
        } catch (Stale e) {
            store.supersede(claim, clock.now());
        } catch (DomainException e) {
            store.fail(claim, "The filter is no longer valid: " + e.errors(), clock.now());
        } catch (RuntimeException e) {
            if (Database.isUnavailable(e)) {
                throw e;
            }
            LOG.log(Level.WARNING, "build " + claim.buildId() + " failed", e);
            store.fail(claim, "The build failed: " + e.getClass().getSimpleName(), clock.now());
        }
    }

    private void hold() {
        if (snapshotHold.isZero()) {
            return;
        }
        try {
            Thread.sleep(snapshotHold);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while holding the snapshot transaction", e);
        }
    }

    private static Spec spec(DbRow r) {
        return new Spec(r.column("filter_json").get(String.class), r.column("intent_window_days").get(Integer.class),
                "preview".equals(r.column("mode").get(String.class)));
    }

    /** Rolls the snapshot transaction back when another attempt or a newer build took over. */
    private static final class Stale extends RuntimeException {
        Stale() {
            super(null, null, false, false);
        }
    }
}
