package io.audiences.server.builds;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.model.FilterGroupDto;
import io.audiences.server.catalog.CompiledFilter;
import io.audiences.server.catalog.FilterCompiler;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Json;
import io.audiences.server.taxonomy.TaxonomyStore;
import io.audiences.server.tracing.Tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * Runs one claimed build: evaluates the audience's filter over the window ending at the newest landed day,
 * writes the member snapshot and swaps it in, all in one transaction, so a crash exposes nothing partial.
 * A build the database failed under (see {@link Database#isUnavailable}) is not marked failed: the exception
 * goes to {@link BuildWorkers}, which hands the build back once the database answers again. Each run is a span
 * (its statements' spans under it) and logs its transitions ({@link BuildLog}).
 */
public final class BuildRunner {

    /** How a run ended (the outcome label of the build-duration metric). */
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String SUPERSEDED = "superseded";

    private static final Logger LOG = Logger.getLogger(BuildRunner.class.getName());

    private final Database db;
    private final BuildStore store;
    private final FilterCompiler compiler;
    private final TaxonomyStore topics;
    private final Clock clock;
    private final Duration snapshotHold;
    private final Tracing tracing;

    /**
     * @param snapshotHold for tests only (zero otherwise): how long each build keeps its snapshot transaction open
     *                     before it commits, standing for a build too large to finish during a shutdown or an outage
     */
    public BuildRunner(Database db, BuildStore store, FilterCompiler compiler, TaxonomyStore topics, Clock clock,
                       Duration snapshotHold, Tracing tracing) {
        this.db = db;
        this.store = store;
        this.compiler = compiler;
        this.topics = topics;
        this.clock = clock;
        this.snapshotHold = snapshotHold;
        this.tracing = tracing;
    }

    /** Runs a claimed build; returns how it ended ({@code completed}, {@code failed} or {@code superseded}). */
    public String run(BuildStore.Claim claim) {
        Span span = tracing.startBuild(claim.audienceId(), claim.buildId());
        try (Scope ignored = span.makeCurrent()) {
            return run(claim, System.nanoTime());
        } finally {
            span.end();
        }
    }

    private String run(BuildStore.Claim claim, long started) {
        Optional<BuildStore.Spec> spec = store.spec(claim);
        if (spec.isEmpty()) {
            store.supersede(claim, clock.now());
            BuildLog.superseded(claim, null, millisSince(started));
            return SUPERSEDED;
        }
        UUID org = spec.get().organizationId();
        BuildLog.claimed(claim, org);
        try {
            CompiledFilter filter = compiler.compile(
                    Json.JSONB.fromJson(spec.get().filterJson(), FilterGroupDto.class), "/filter");
            Map<String, Integer> keys = topics.topicKeys(filter.allTopics());
            List<List<Integer>> perRule = BuildStore.keysPerRule(filter, keys);
            Optional<LocalDate> through = store.landedThrough();
            // Without any landed day the window is empty: the build completes with no members.
            LocalDate to = through.orElse(LocalDate.EPOCH);
            LocalDate from = to.minusDays(spec.get().windowDays() - 1L);
            if (!store.markSyncing(claim, clock.now())) {
                return SUPERSEDED;
            }
            BuildStore.Counts done = db.inTransaction(tx -> {
                store.writeMembers(tx, claim.buildId(), filter, perRule, from, through.isPresent() ? to : LocalDate.EPOCH.minusDays(1));
                BuildStore.Counts counts = store.counts(tx, claim.buildId(), through.orElse(null), spec.get().windowDays());
                hold();
                if (!store.complete(tx, claim, counts, through.orElse(null), !spec.get().preview(), clock.now())) {
                    throw new Stale();
                }
                return counts;
            });
            BuildLog.completed(claim, org, millisSince(started), done);
            return COMPLETED;
        } catch (Stale e) {
            store.supersede(claim, clock.now());
            BuildLog.superseded(claim, org, millisSince(started));
            return SUPERSEDED;
        } catch (DomainException e) {
            String reason = "The filter is no longer valid: " + e.errors();
            store.fail(claim, reason, clock.now());
            BuildLog.failed(claim, org, millisSince(started), reason);
            return FAILED;
        } catch (RuntimeException e) {
            if (Database.isUnavailable(e)) {
                throw e;
            }
            LOG.log(Level.WARNING, "build " + claim.buildId() + " failed", e);
            String reason = "The build failed: " + e.getClass().getSimpleName();
            store.fail(claim, reason, clock.now());
            BuildLog.failed(claim, org, millisSince(started), reason);
            return FAILED;
        }
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
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

    /** Rolls the snapshot transaction back when another attempt or a newer build took over. */
    private static final class Stale extends RuntimeException {
        Stale() {
            super(null, null, false, false);
        }
    }
}
