package io.audiences.server.builds;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.catalog.CompiledFilter;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.tenancy.TenancyStore;
import io.audiences.server.webhooks.AudienceEvent;
import io.audiences.server.webhooks.Outbox;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * All SQL of build jobs and member snapshots, including the build-status fields they keep on the audience.
 * Every write a worker makes after claiming is fenced on (lease owner, attempt), so a worker whose lease
 * was taken over can never overwrite the newer attempt.
 */
public final class BuildStore {

    // The labels as stored, from the one list of statuses.
    static final String PENDING = BuildStatus.PENDING.label();
    static final String PROCESSING = BuildStatus.PROCESSING.label();
    static final String SYNCING = BuildStatus.SYNCING.label();
    static final String COMPLETED = BuildStatus.COMPLETED.label();
    static final String FAILED = BuildStatus.FAILED.label();
    static final String SUPERSEDED = BuildStatus.SUPERSEDED.label();

    /** How many tenants one claim tries, in turn, before the worker polls again (the others raced it to them). */
    private static final int TENANTS_PER_CLAIM = 8;

    private final Database db;
    private final Outbox outbox;

    /** @param outbox where a build's completion or failure is published, in the transaction that records it */
    public BuildStore(Database db, Outbox outbox) {
        this.db = db;
        this.outbox = outbox;
    }

    /** A build this worker holds. */
    public record Claim(long buildId, long audienceId, int attempt, String owner) { }

    /** What a finished build reports. */
    public record Counts(long records, long profiles, String bucketCounts) { }

    /**
     * Queues a build for an audience, under the audience's tenant (its top-level organization); the caller updates
     * the audience in the same transaction.
     */
    public long enqueue(DbExecute tx, long audienceId, Instant now) {
        long id = tx.get("SELECT nextval('audience_build_seq') AS id").orElseThrow().column("id").get(Long.class);
        tx.insert("INSERT INTO audience_build (id, audience_id, tenant_id, status, attempts, created_at) SELECT ?, a.id, "
                + TenancyStore.tenantOf("a.organization_id") + ", ?, 0, ? FROM audience a WHERE a.id = ?",
                id, PENDING, Timestamps.param(now), audienceId);
        return id;
    }

    /** The states a build waits or runs in, before it ends (what the build-state gauges report). */
    public static final List<String> ACTIVE_STATES = List.of(PENDING, PROCESSING, SYNCING);

    /**
     * How many builds of the whole deployment are in each of {@link #ACTIVE_STATES}: one query over the claim index
     * (status first), whatever the number of tenants or of finished builds.
     */
    public Map<String, Long> activeCounts() {
        Map<String, Long> counts = new HashMap<>();
        db.client().execute().query("SELECT status, COUNT(*) AS n FROM audience_build WHERE status IN (?, ?, ?) "
                        + "GROUP BY status", PENDING, PROCESSING, SYNCING)
                .forEach(r -> counts.put(r.column("status").get(String.class), r.column("n").get(Long.class)));
        return counts;
    }

    /** How many builds wait to be claimed in the tenant of {@code organizationId}. */
    public long queuedInTenantOf(DbExecute tx, UUID organizationId) {
        return tx.get("SELECT COUNT(*) AS n FROM audience_build WHERE tenant_id = " + TenancyStore.tenantOf("?")
                + " AND status = ?", organizationId, PENDING).orElseThrow().column("n").get(Long.class);
    }

    /**
     * Claims a build, sharing the workers of every instance between tenants: the tenant with the fewest builds
     * running (live leases, counted across instances) goes first, ties to whoever has waited longest, and within
     * a tenant its oldest claimable build. So a tenant that queued sixty builds holds the workers only while nobody
     * else waits, and another tenant's build is claimed by the next worker that frees up. A claimable build is a
     * pending one, or one whose lease ran out (its worker died); builds that used up their attempts fail instead.
     */
    public Optional<Claim> claim(String owner, Instant now, Instant leaseUntil, int maxAttempts) {
        for (UUID tenant : tenantsInTurn(now)) {
            Optional<Claim> claim = claimOldest(tenant, owner, now, leaseUntil, maxAttempts);
            if (claim.isPresent()) {
                return claim;
            }
        }
        return Optional.empty();
    }

    /**
     * The tenants with a claimable build, the first to serve first. Read without locks: a tenant whose builds
     * concurrent claims took meanwhile has nothing left for {@link #claimOldest}, and the next one is tried.
     */
    private List<UUID> tenantsInTurn(Instant now) {
        String claimable = "status = ? OR lease_until < ?";
        return db.client().execute().query("SELECT tenant_id, "
                        + "SUM(CASE WHEN status <> ? AND lease_until >= ? THEN 1 ELSE 0 END) AS running, "
                        + "MIN(CASE WHEN " + claimable + " THEN id END) AS oldest "
                        + "FROM audience_build WHERE status IN (?, ?, ?) GROUP BY tenant_id "
                        + "HAVING MIN(CASE WHEN " + claimable + " THEN id END) IS NOT NULL "
                        + "ORDER BY running, oldest FETCH FIRST " + TENANTS_PER_CLAIM + " ROWS ONLY",
                PENDING, Timestamps.param(now), PENDING, Timestamps.param(now), PENDING, PROCESSING, SYNCING,
                PENDING, Timestamps.param(now))
                .map(r -> r.column("tenant_id").get(UUID.class)).toList();
    }

    /** Claims the tenant's oldest claimable build; empty when other workers took them all meanwhile. */
    private Optional<Claim> claimOldest(UUID tenant, String owner, Instant now, Instant leaseUntil, int maxAttempts) {
        while (true) {
            // Empty: a build that used up its attempts was failed (and committed); look at the tenant's next one.
            Optional<Optional<Claim>> outcome = db.inTransaction(tx -> {
                Optional<DbRow> row = tx.get("SELECT id, audience_id, attempts FROM audience_build WHERE tenant_id = ? "
                        + "AND (status = ? OR (status IN (?, ?) AND lease_until < ?)) ORDER BY id "
                        + "FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED",
                        tenant, PENDING, PROCESSING, SYNCING, Timestamps.param(now));
                if (row.isEmpty()) {
                    return Optional.of(Optional.<Claim>empty());
                }
                long id = row.get().column("id").get(Long.class);
                long audienceId = row.get().column("audience_id").get(Long.class);
                int attempt = row.get().column("attempts").get(Integer.class) + 1;
                if (attempt > maxAttempts) {
                    String error = "The build was abandoned after " + maxAttempts + " attempts.";
                    tx.update("UPDATE audience_build SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                            FAILED, error, Timestamps.param(now), id);
                    if (setAudienceStatus(tx, audienceId, id, FAILED, error, now)) {
                        publishFailure(tx, audienceId, id, error);
                    }
                    return Optional.<Optional<Claim>>empty();
                }
                tx.update("UPDATE audience_build SET status = ?, attempts = ?, lease_owner = ?, lease_until = ?, "
                        + "started_at = ? WHERE id = ?", PROCESSING, attempt, owner, Timestamps.param(leaseUntil),
                        Timestamps.param(now), id);
                tx.update("UPDATE audience SET status = ?, task_id = ?, error = NULL, version = version + 1, updated_at = ? "
                        + "WHERE id = ? AND latest_build_id = ?", PROCESSING, Long.toString(id), Timestamps.param(now),
                        audienceId, id);
                return Optional.of(Optional.of(new Claim(id, audienceId, attempt, owner)));
            });
            if (outcome.isPresent()) {
                return outcome.get();
            }
        }
    }

    /** Extends the lease; false when this worker no longer holds the build. */
    public boolean heartbeat(Claim claim, Instant leaseUntil) {
        return db.client().execute().update("UPDATE audience_build SET lease_until = ? WHERE id = ? AND lease_owner = ? "
                + "AND attempts = ? AND status IN (?, ?)", Timestamps.param(leaseUntil), claim.buildId(), claim.owner(),
                claim.attempt(), PROCESSING, SYNCING) == 1;
    }

    /** Marks the build as writing its snapshot; false if the claim is stale. */
    public boolean markSyncing(Claim claim, Instant now) {
        return db.inTransaction(tx -> {
            if (!fenced(tx, claim, SYNCING, null, null, now)) {
                return false;
            }
            setAudienceStatus(tx, claim.audienceId(), claim.buildId(), SYNCING, null, now);
            return true;
        });
    }

    /** What a build needs from its audience. */
    public record Spec(String filterJson, int windowDays, boolean preview, UUID organizationId) { }

    /** The audience's build spec, empty when the audience is gone or a newer build superseded the claimed one. */
    public Optional<Spec> spec(Claim claim) {
        return db.client().execute().get("SELECT filter_json, intent_window_days, mode, organization_id "
                        + "FROM audience WHERE id = ? AND latest_build_id = ?", claim.audienceId(), claim.buildId())
                .map(r -> new Spec(r.column("filter_json").get(String.class), r.column("intent_window_days").get(Integer.class),
                        "preview".equals(r.column("mode").get(String.class)), r.column("organization_id").get(UUID.class)));
    }

    /**
     * Locks the audience's builds; a deletion of the audience calls it before it locks the audience row. Every build
     * transaction locks its build row first and the audience row after: a deletion taking them the other way round
     * deadlocked with the audience's running build (H2 broke it with 503 database_busy). A build that has not yet
     * swapped its snapshot in then finds its row gone and ends as superseded.
     */
    public void lockOf(DbExecute tx, long audienceId) {
        try (Stream<DbRow> rows = tx.query("SELECT id FROM audience_build WHERE audience_id = ? ORDER BY id FOR UPDATE",
                audienceId)) {
            rows.forEach(r -> { });
        }
    }

    /** Deletes the audience's builds and their snapshots, in the transaction deleting the audience. */
    public void deleteOf(DbExecute tx, long audienceId) {
        tx.delete("DELETE FROM audience_member WHERE build_id IN (SELECT id FROM audience_build WHERE audience_id = ?)",
                audienceId);
        tx.delete("DELETE FROM audience_build WHERE audience_id = ?", audienceId);
    }

    /** The newest day whose partition has landed; builds end their window there. */
    public Optional<LocalDate> landedThrough() {
        return db.client().execute().get("SELECT MAX(event_day) AS d FROM upstream_partition")
                .flatMap(r -> r.column("d").asOptional()).map(Timestamps::date);
    }

    /**
     * Writes the members of a build; returns the number of rows. The window's qualifying signals are aggregated per
     * profile ({@code s}, one bit of {@code flags} per INTENT rule) and joined to the records matching the filter; the
     * company is joined only when the filter reads it.
     * <ul>
     *     <li>When every member needs a signal, the aggregate drives the join in one statement: it runs once and each
     *     of its profiles finds its records by index, on both engines.</li>
     *     <li>Otherwise every record is a candidate. PostgreSQL hash-joins them to the aggregate in the same
     *     statement. H2 would re-run a grouped derived table for each record, so there the aggregate is first staged
     *     in {@code build_signal} and joined by primary key.</li>
     * </ul>
     */
    public long writeMembers(DbExecute tx, long buildId, CompiledFilter filter, List<List<Integer>> topicKeys,
                             LocalDate from, LocalDate to) {
        tx.delete("DELETE FROM audience_member WHERE build_id = ?", buildId);
        List<Object> aggregateParams = new ArrayList<>();
        String aggregate = aggregate(filter, topicKeys, from, to, aggregateParams);
        if (filter.intentRequired() || db.isPostgres()) {
            List<Object> params = new ArrayList<>(List.of(buildId));
            params.addAll(aggregateParams);
            params.addAll(filter.params());
            return tx.insert(insertMembers("(SELECT " + aggregate + ")", "", filter), params.toArray());
        }
        tx.delete("DELETE FROM build_signal WHERE build_id = ?", buildId);
        List<Object> stageParams = new ArrayList<>(List.of(buildId));
        stageParams.addAll(aggregateParams);
        tx.insert("INSERT INTO build_signal (build_id, profile_id, freq, imp, last_day, flags) SELECT ?, " + aggregate,
                stageParams.toArray());
        List<Object> params = new ArrayList<>(List.of(buildId, buildId));
        params.addAll(filter.params());
        long members = tx.insert(insertMembers("build_signal", "AND s.build_id = ? ", filter), params.toArray());
        tx.delete("DELETE FROM build_signal WHERE build_id = ?", buildId);
        return members;
    }

    /**
     * The INSERT of a build's members from the per-profile signals {@code signals}, joined on the profile and
     * {@code signalCondition}; its first parameter is the build, then those of the condition and of the filter.
     */
    private static String insertMembers(String signals, String signalCondition, CompiledFilter filter) {
        return "INSERT INTO audience_member (build_id, record_id, profile_id, intent_frequency, impression_count, "
                + "last_signal_day) SELECT ?, r.id, r.profile_id, COALESCE(s.freq, 0), COALESCE(s.imp, 0), s.last_day "
                + (filter.intentRequired()
                    ? "FROM " + signals + " s JOIN contact_record r ON r.profile_id = s.profile_id "
                    : "FROM contact_record r LEFT JOIN " + signals + " s ON s.profile_id = r.profile_id ")
                + signalCondition
                + (filter.readsCompany() ? "LEFT JOIN company c ON c.id = r.company_id " : "")
                + "WHERE " + filter.predicate();
    }

    /**
     * The select list and the rest of the per-profile aggregate of the window's qualifying signals ({@code profile_id,
     * freq, imp, last_day, flags}), without its leading SELECT; appends its parameters to {@code params}.
     */
    private static String aggregate(CompiledFilter filter, List<List<Integer>> topicKeys, LocalDate from, LocalDate to,
                                    List<Object> params) {
        StringBuilder agg = new StringBuilder("profile_id, COUNT(DISTINCT event_day) AS freq, SUM(impressions) AS imp, "
                + "MAX(event_day) AS last_day, 0");
        for (int i = 0; i < topicKeys.size(); i++) {
            List<Integer> keys = topicKeys.get(i);
            if (!keys.isEmpty()) {
                agg.append(" + ").append(1L << i).append(" * MAX(CASE WHEN topic_key IN (").append(placeholders(keys.size()))
                        .append(") THEN 1 ELSE 0 END)");
                params.addAll(keys);
            }
        }
        agg.append(" AS flags FROM intent_signal WHERE event_day BETWEEN ? AND ?");
        params.add(from);
        params.add(to);
        if (!topicKeys.isEmpty()) {
            List<Integer> all = topicKeys.stream().flatMap(List::stream).distinct().toList();
            if (all.isEmpty()) {
                agg.append(" AND 1 = 0");
            } else {
                // One placeholder per topic: H2 uses the index for IN (?, ...) but scans everything for = ANY(?).
                agg.append(" AND topic_key IN (").append(placeholders(all.size())).append(")");
                params.addAll(all);
            }
        }
        for (String condition : filter.scoreConditions()) {
            agg.append(" AND ").append(condition);
        }
        params.addAll(filter.scoreParams());
        return agg.append(" GROUP BY profile_id").toString();
    }

    /** Record, profile and bucket counts of a build's members. */
    public Counts counts(DbExecute tx, long buildId, LocalDate through, int windowDays) {
        List<Integer> buckets = new ArrayList<>();
        for (int n : new int[] {1, 3, 7, 14}) {
            if (n <= windowDays) {
                buckets.add(n);
            }
        }
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) AS rc, COUNT(DISTINCT profile_id) AS pc");
        List<Object> params = new ArrayList<>();
        for (int n : buckets) {
            sql.append(", COUNT(DISTINCT CASE WHEN last_signal_day >= ? THEN profile_id END) AS b").append(n);
            params.add(through == null ? LocalDate.MAX : through.minusDays(n - 1));
        }
        sql.append(" FROM audience_member WHERE build_id = ?");
        params.add(buildId);
        DbRow row = tx.get(sql.toString(), params.toArray()).orElseThrow();
        StringBuilder json = new StringBuilder("{");
        for (int n : buckets) {
            json.append(json.length() > 1 ? "," : "").append("\"").append(n).append("d\":")
                    .append(row.column("b" + n).get(Long.class));
        }
        return new Counts(row.column("rc").get(Long.class), row.column("pc").get(Long.class), json.append("}").toString());
    }

    /**
     * Swaps the new snapshot in: the audience points to this build, takes its counts and drops the previous
     * snapshot, all in the caller's transaction. False when the claim is stale or a newer build superseded it.
     */
    public boolean complete(DbExecute tx, Claim claim, Counts counts, LocalDate through, boolean keepMembers, Instant now) {
        if (!fenced(tx, claim, COMPLETED, null, through, now)) {
            return false;
        }
        Optional<DbRow> audience = tx.get("SELECT current_build_id, organization_id, project_id FROM audience "
                + "WHERE id = ? AND latest_build_id = ?", claim.audienceId(), claim.buildId());
        if (audience.isEmpty()) {
            return false;
        }
        Optional<Long> previous = Optional.ofNullable(audience.get().column("current_build_id").get(Long.class));
        // The snapshots are dropped before the audience row is updated: the row's lock, which a refresh or an edit of
        // the audience waits for, is then held only from this update to the commit, not through large deletes. Until
        // the commit, readers still see the previous snapshot whole.
        previous.filter(p -> p != claim.buildId())
                .ifPresent(p -> tx.delete("DELETE FROM audience_member WHERE build_id = ?", p));
        if (!keepMembers) {
            tx.delete("DELETE FROM audience_member WHERE build_id = ?", claim.buildId());
        }
        // Not updated: a newer build superseded this one; the caller rolls the transaction back, deletes included.
        long updated = tx.update("UPDATE audience SET status = ?, error = NULL, current_build_id = ?, record_count = ?, "
                        + "distinct_profile_count = ?, bucket_counts = ?, data_through = ?, last_built_at = ?, "
                        + "version = version + 1, updated_at = ? WHERE id = ? AND latest_build_id = ?",
                COMPLETED, keepMembers ? claim.buildId() : null, counts.records(), counts.profiles(), counts.bucketCounts(),
                through, Timestamps.param(now), Timestamps.param(now), claim.audienceId(), claim.buildId());
        if (updated != 1) {
            return false;
        }
        outbox.publish(tx, AudienceEvent.buildCompleted(audience.get().column("organization_id").get(UUID.class),
                audience.get().column("project_id").get(UUID.class), claim.audienceId(), claim.buildId(), counts.records(),
                counts.profiles()));
        return true;
    }

    /**
     * Ends a build that lost the race to a newer one or whose audience is gone. Its members are dropped only
     * while this claim still holds the build: after a lease was handed back or taken over, they belong to the
     * attempt that holds it now.
     */
    public void supersede(Claim claim, Instant now) {
        db.inTransaction(tx -> {
            if (fenced(tx, claim, SUPERSEDED, null, null, now)) {
                tx.delete("DELETE FROM audience_member WHERE build_id = ?", claim.buildId());
            }
            return null;
        });
    }

    /**
     * Hands an unfinished build back (its process shuts down, or the database went away under it): {@code Pending}
     * again with the lease cleared, so any worker claims it on its next poll, and the attempt not counted, as the
     * build itself did not fail. False when this claim no longer held the build (it completed, or was taken over).
     * The caller's attempt must be over or abandoned: a later claim of the same build may carry the same attempt number.
     */
    public boolean release(Claim claim, Instant now) {
        return db.inTransaction(tx -> {
            boolean held = tx.update("UPDATE audience_build SET status = ?, attempts = attempts - 1, lease_owner = NULL, "
                            + "lease_until = NULL, started_at = NULL WHERE id = ? AND lease_owner = ? AND attempts = ? "
                            + "AND status IN (?, ?)", PENDING, claim.buildId(), claim.owner(), claim.attempt(),
                    PROCESSING, SYNCING) == 1;
            if (held) {
                setAudienceStatus(tx, claim.audienceId(), claim.buildId(), PENDING, null, now);
            }
            return held;
        });
    }

    /** Records a failure; the audience keeps serving its previous snapshot. */
    public void fail(Claim claim, String error, Instant now) {
        db.inTransaction(tx -> {
            if (fenced(tx, claim, FAILED, error, null, now)) {
                if (setAudienceStatus(tx, claim.audienceId(), claim.buildId(), FAILED, error, now)) {
                    publishFailure(tx, claim.audienceId(), claim.buildId(), error);
                }
                tx.delete("DELETE FROM audience_member WHERE build_id = ?", claim.buildId());
            }
            return null;
        });
    }

    private boolean fenced(DbExecute tx, Claim claim, String status, String error, LocalDate through, Instant now) {
        boolean done = COMPLETED.equals(status) || FAILED.equals(status) || SUPERSEDED.equals(status);
        return tx.update("UPDATE audience_build SET status = ?, error = ?, data_through = ?, finished_at = ? "
                        + "WHERE id = ? AND lease_owner = ? AND attempts = ? AND status IN (?, ?)",
                status, error, through, done ? Timestamps.param(now) : null, claim.buildId(), claim.owner(), claim.attempt(),
                PROCESSING, SYNCING) == 1;
    }

    /** Whether the audience still points to this build (a newer build, or a deletion, makes it false). */
    private static boolean setAudienceStatus(DbExecute tx, long audienceId, long buildId, String status, String error,
                                             Instant now) {
        return tx.update("UPDATE audience SET status = ?, error = ?, version = version + 1, updated_at = ? "
                + "WHERE id = ? AND latest_build_id = ?", status, error, Timestamps.param(now), audienceId, buildId) == 1;
    }

    private void publishFailure(DbExecute tx, long audienceId, long buildId, String error) {
        tx.get("SELECT organization_id, project_id FROM audience WHERE id = ?", audienceId).ifPresent(r ->
                outbox.publish(tx, AudienceEvent.buildFailed(r.column("organization_id").get(UUID.class),
                        r.column("project_id").get(UUID.class), audienceId, buildId, error)));
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }


    /** Topic keys per INTENT rule, in flag order. */
    static List<List<Integer>> keysPerRule(CompiledFilter filter, Map<String, Integer> keys) {
        return filter.intentRules().stream()
                .map(rule -> rule.stream().map(keys::get).filter(k -> k != null).distinct().toList()).toList();
    }
}
