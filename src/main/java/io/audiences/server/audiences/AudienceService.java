package io.audiences.server.audiences;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.model.AudienceCreateRequestDto;
import io.audiences.model.AudienceUpdateRequestDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.server.audit.AuditLog;
import io.audiences.server.builds.BuildLog;
import io.audiences.server.builds.BuildStatus;
import io.audiences.server.builds.BuildStore;
import io.audiences.server.catalog.CompiledFilter;
import io.audiences.server.catalog.FilterCompiler;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.taxonomy.TaxonomyStore;
import io.audiences.server.tenancy.Project;
import io.audiences.server.tenancy.Quotas;
import io.audiences.server.tenancy.TenancyService;
import io.audiences.server.webhooks.AudienceEvent;
import io.audiences.server.webhooks.EventType;
import io.audiences.server.webhooks.Outbox;

import io.helidon.dbclient.DbExecute;

/**
 * The audience lifecycle: create, edit, delete, refresh, pause and resume, plus scheduled renewal and the
 * automatic pause when an organization or project is deactivated. Every call is scoped to one project the
 * caller reaches; anything else is 404.
 */
public final class AudienceService implements TenancyService.DeactivationListener {

    private static final Logger LOG = Logger.getLogger(AudienceService.class.getName());
    /** What a 429 {@code build_backlog_full} tells clients to wait: long enough for a few builds to run. */
    static final int BACKLOG_RETRY_AFTER_SECONDS = 10;

    private final Database db;
    private final AudienceStore store;
    private final BuildStore builds;
    private final TenancyService tenancy;
    private final FilterCompiler compiler;
    private final TaxonomyStore topics;
    private final Outbox outbox;
    private final Clock clock;
    private final int buildBacklog;
    private final AuditLog audit;

    /**
     * @param buildBacklog how many builds a tenant may have waiting for a worker; a create, edit or refresh that
     *                     would queue one more answers 429 {@code build_backlog_full} (scheduled renewals still queue)
     */
    public AudienceService(Database db, AudienceStore store, BuildStore builds, TenancyService tenancy,
                           FilterCompiler compiler, TaxonomyStore topics, Outbox outbox, Clock clock, int buildBacklog,
                           AuditLog audit) {
        this.db = db;
        this.store = store;
        this.builds = builds;
        this.tenancy = tenancy;
        this.compiler = compiler;
        this.topics = topics;
        this.outbox = outbox;
        this.clock = clock;
        this.buildBacklog = buildBacklog;
        this.audit = audit;
    }

    /**
     * Delivr documents a third audience type, {@code events} (pixel-event rules); this API has no event data to
     * build it from, and says so with its own code rather than a bare enum error.
     */
    public static void requireSupportedType(String type) {
        if ("events".equals(type)) {
            throw DomainException.invalid(ErrorCode.EVENTS_NOT_SUPPORTED, "/type", "Audiences of type events need pixel event "
                    + "data, which this API does not hold; use intents or elixir.");
        }
    }

    /** The name, sent as {@code name} or as Delivr's {@code audience_name}: exactly one of the two. */
    static String name(AudienceCreateRequestDto req) {
        if (req.getName() != null && req.getAudienceName() != null) {
            throw DomainException.invalid(ErrorCode.NAME_CONFLICTING, "/audience_name",
                    "Send the name once: name and audience_name are the same field.");
        }
        if (req.getName() == null && req.getAudienceName() == null) {
            throw DomainException.invalid(ErrorCode.NAME_REQUIRED, "/name", "Send the audience's name as name or audience_name.");
        }
        return req.getName() != null ? req.getName() : req.getAudienceName();
    }

    public Audience create(Principal caller, UUID projectId, AudienceCreateRequestDto req, TransactionHook<Audience> hook) {
        String name = name(req);
        Project project = tenancy.project(caller, projectId);
        if (req.getProjectId() != null && !req.getProjectId().equals(projectId)) {
            throw DomainException.invalid(ErrorCode.PROJECT_MISMATCH, "/project_id", "project_id differs from the request's project.");
        }
        if (req.getOrganizationId() != null && !req.getOrganizationId().equals(project.organizationId())) {
            throw DomainException.invalid(ErrorCode.ORGANIZATION_MISMATCH, "/organization_id",
                    "organization_id is not the project's organization.");
        }
        Audience.Type type = Audience.Type.of(req.getType().toString());
        CompiledFilter filter = validateFilter(req.getFilter());
        if (type == Audience.Type.INTENTS && filter.intentRules().isEmpty()) {
            throw DomainException.invalid(ErrorCode.INTENT_RULE_REQUIRED, "/filter",
                    "An intents audience needs an INTENT rule with topic ids.");
        }
        requireActive(project);
        Instant now = clock.now();
        Schedule schedule = req.getRefreshSchedule() != null ? Schedule.of(req.getRefreshSchedule().toString())
                : type == Audience.Type.INTENTS ? Schedule.DAILY : Schedule.WEEKLY;
        Audience.SegmentationType segmentation = req.getSegmentationType() != null
                ? Audience.SegmentationType.of(req.getSegmentationType().toString())
                : type == Audience.Type.INTENTS ? Audience.SegmentationType.AUDIENCE : Audience.SegmentationType.PERSONA;
        Audience draft = Audience.draft(project.organizationId(), projectId, new Audience.Definition(name,
                req.getDescription(), type, segmentation, Json.JSONB.toJson(req.getFilter()),
                req.getIntentWindowDays() == null ? 1 : req.getIntentWindowDays(), schedule,
                req.getMode() == null ? Audience.Mode.UNLOAD : Audience.Mode.of(req.getMode().toString())),
                schedule.next(now), now);
        return db.inTransaction(tx -> {
            tenancy.requireQuota(tx, project.organizationId(), Quotas.Resource.AUDIENCES);
            long id = store.insert(tx, draft);
            record(tx, draft, id, "audience.created");
            requested(tx, store.find(tx, projectId, id).orElseThrow(), now);
            return hook.apply(tx, store.find(tx, projectId, id).orElseThrow());
        });
    }

    /**
     * The current version of an audience the caller may see, by one narrow read, when its project is already known to
     * be in the caller's subtree; otherwise empty (also when the audience is not found), and {@link #get} answers with
     * the whole row or the error. A reader that keeps what it made of a version (a rendering) needs only this.
     * Every write of an audience bumps its version (its ETag names it), so a version names exactly one row.
     */
    public OptionalLong knownVersion(Principal caller, UUID projectId, long id) {
        return tenancy.knownInSubtree(caller.organizationId(), projectId) ? store.version(projectId, id) : OptionalLong.empty();
    }

    public Audience get(Principal caller, UUID projectId, long id) {
        // One read on the hot path: the audience joined to the caller's subtree, or, once the project was seen in that
        // subtree (which never changes), the audience alone by its key, as cheap as a bare row read (no three-table
        // plan to execute). On a miss, the two-step lookup says whether the project or the audience is unknown.
        UUID scope = caller.organizationId();
        if (tenancy.knownInSubtree(scope, projectId)) {
            Optional<Audience> found = store.find(projectId, id);
            if (found.isPresent()) {
                return found.get();
            }
        } else {
            Optional<Audience> visible = store.findVisible(scope, projectId, id);
            if (visible.isPresent()) {
                tenancy.seenInSubtree(scope, projectId);
                return visible.get();
            }
        }
        tenancy.project(caller, projectId);
        return store.find(projectId, id).orElseThrow(() -> DomainException.notFound("Audience"));
    }

    /**
     * A page of the project's audiences in {@code order}. The default order keeps the sequence cursors it always had;
     * the others carry their position (id, and the sort name in a name order) in a cursor of their own kind.
     */
    public Page<Audience> list(Principal caller, UUID projectId, Optional<BuildStatus> status, Optional<Audience.Type> type,
                               Optional<String> nameContains, AudienceStore.Order order, Optional<String> cursor, int limit) {
        tenancy.project(caller, projectId);
        if (order == AudienceStore.Order.CREATED) {
            long after = Page.after(cursor);
            return Page.of(store.list(projectId, status, type, nameContains, order,
                    after == 0 ? Optional.empty() : Optional.of(after), Optional.empty(), limit), limit,
                    l -> l.audience().id()).map(AudienceStore.Listed::audience);
        }
        String kind = order.name().toLowerCase(Locale.ROOT);
        Optional<String> position = Page.position(cursor, kind);
        Optional<Long> afterId;
        Optional<String> afterName = Optional.empty();
        try {
            String p = position.orElse(null);
            int colon = p == null ? -1 : p.indexOf(':');
            afterId = p == null ? Optional.empty() : Optional.of(Long.parseLong(colon < 0 ? p : p.substring(0, colon)));
            if (p != null && colon >= 0) {
                afterName = Optional.of(p.substring(colon + 1));
            }
        } catch (NumberFormatException e) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "cursor", "cursor is not a cursor returned by this API.");
        }
        if (afterId.isPresent() && order.byName() != afterName.isPresent()) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "cursor", "cursor is not a cursor returned by this API.");
        }
        return Page.ofPositions(store.list(projectId, status, type, nameContains, order, afterId, afterName, limit), limit,
                kind, l -> l.audience().id() + (order.byName() ? ":" + l.sortName() : "")).map(AudienceStore.Listed::audience);
    }

    /** Edits an audience; with {@code ifMatch}, only the version it names (412 {@code precondition_failed} otherwise). */
    public Audience update(Principal caller, UUID projectId, long id, AudienceUpdateRequestDto req, Optional<String> ifMatch) {
        tenancy.project(caller, projectId);
        Optional<CompiledFilter> filter = Optional.ofNullable(req.getFilter()).map(this::validateFilter);
        return mutate(projectId, id, TransactionHook.none(), (tx, a, now) -> {
            requireMatch(a, ifMatch);
            boolean rebuild = filter.isPresent()
                    || (req.getIntentWindowDays() != null && req.getIntentWindowDays() != a.definition().windowDays());
            if (filter.isPresent() && a.definition().type() == Audience.Type.INTENTS && filter.get().intentRules().isEmpty()) {
                throw DomainException.invalid(ErrorCode.INTENT_RULE_REQUIRED, "/filter",
                        "An intents audience needs an INTENT rule with topic ids.");
            }
            if (rebuild && a.progress().status() == BuildStatus.SYNCING) {
                throw DomainException.conflict(ErrorCode.AUDIENCE_SYNCING, "The audience is being written; retry when it completes.");
            }
            Schedule schedule = req.getRefreshSchedule() == null ? a.definition().schedule()
                    : Schedule.of(req.getRefreshSchedule().toString());
            boolean scheduleChanged = schedule != a.definition().schedule();
            Audience.Definition d = a.definition();
            Audience.Renewal r = a.renewal();
            Audience edited = a.withDefinition(new Audience.Definition(req.getName() == null ? d.name() : req.getName(),
                            req.getDescription() == null ? d.description() : req.getDescription(), d.type(),
                            d.segmentationType(), req.getFilter() == null ? d.filterJson() : Json.JSONB.toJson(req.getFilter()),
                            req.getIntentWindowDays() == null ? d.windowDays() : req.getIntentWindowDays(), schedule, d.mode()))
                    .withRenewal(new Audience.Renewal(
                            scheduleChanged && !a.paused() ? schedule.next(now) : r.renewTime(),
                            scheduleChanged && a.paused() ? schedule.next(now) : r.previousRenewTime(),
                            r.pausedAt(), r.pauseReason()));
            record(tx, a, a.id(), "audience.updated");
            return rebuild ? requested(tx, edited, now) : save(tx, edited, now);
        });
    }

    /** Deletes an audience; with {@code ifMatch}, only the version it names (412 {@code precondition_failed} otherwise). */
    public void delete(Principal caller, UUID projectId, long id, Optional<String> ifMatch) {
        tenancy.project(caller, projectId);
        db.inTransaction(tx -> {
            // The builds first, as every build transaction locks them (see BuildStore.lockOf).
            builds.lockOf(tx, id);
            Audience a = store.lock(tx, projectId, id).orElseThrow(() -> DomainException.notFound("Audience"));
            requireMatch(a, ifMatch);
            builds.deleteOf(tx, id);
            store.delete(tx, id);
            record(tx, a, id, "audience.deleted");
            publish(tx, EventType.DELETED, a, "deleted", null);
            return null;
        });
    }

    public Audience refresh(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook) {
        tenancy.project(caller, projectId);
        return mutate(projectId, id, hook, (tx, a, now) -> {
            if (a.paused()) {
                throw new DomainException(DomainException.Kind.CONFLICT, ErrorCode.AUDIENCE_PAUSED,
                        "The audience is paused (" + a.renewal().pauseReason().value() + "); resume it before refreshing.",
                        List.of(), Map.of("pause_reason", a.renewal().pauseReason().value()));
            }
            if (a.progress().status() == BuildStatus.SYNCING) {
                throw DomainException.conflict(ErrorCode.AUDIENCE_SYNCING, "The audience is being written; retry when it completes.");
            }
            if (a.progress().status() == BuildStatus.PENDING) {
                return a;
            }
            record(tx, a, a.id(), "audience.refreshed");
            return requested(tx, a, now);
        });
    }

    public Audience pause(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook) {
        tenancy.project(caller, projectId);
        return mutate(projectId, id, hook, (tx, a, now) -> {
            if (a.paused()) {
                throw new DomainException(DomainException.Kind.CONFLICT, ErrorCode.AUDIENCE_ALREADY_PAUSED,
                        "The audience is already paused.", List.of(), Map.of("pause_reason", a.renewal().pauseReason().value()));
            }
            record(tx, a, a.id(), "audience.paused");
            return pause(tx, a, Audience.PauseReason.MANUAL, now);
        });
    }

    public Audience resume(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook) {
        Project project = tenancy.project(caller, projectId);
        return mutate(projectId, id, hook, (tx, a, now) -> {
            if (!a.paused()) {
                throw DomainException.conflict(ErrorCode.AUDIENCE_NOT_PAUSED, "The audience is not paused.");
            }
            if (!tenancy.isEffectivelyActive(project.organizationId())) {
                throw DomainException.conflict(ErrorCode.ORG_INACTIVE, "The organization is inactive; activate it before resuming.");
            }
            if (!project.active()) {
                throw DomainException.conflict(ErrorCode.PROJECT_INACTIVE, "The project is inactive; activate it before resuming.");
            }
            Instant stashed = a.renewal().previousRenewTime();
            Instant renew = stashed != null && stashed.isAfter(now) ? stashed : a.definition().schedule().next(now);
            record(tx, a, a.id(), "audience.resumed");
            Audience resumed = save(tx, a.withRenewal(new Audience.Renewal(renew, null, null, null)), now);
            publish(tx, EventType.RESUMED, resumed, resumed.progress().status().label(), null);
            return resumed;
        });
    }

    private void record(DbExecute tx, Audience a, long id, String action) {
        audit.record(tx, a.organizationId(), action, "audience", id,
                Map.of("name", a.definition().name(), "project_id", a.projectId().toString()));
    }

    /** Queues builds for every unpaused audience whose renewal time has come. */
    public void renewDue() {
        Instant now = clock.now();
        for (Audience due : store.due(now, 100)) {
            try {
                db.inTransaction(tx -> {
                    Audience a = store.lock(tx, due.projectId(), due.id()).orElse(null);
                    if (a == null || a.paused() || a.renewal().renewTime() == null || a.renewal().renewTime().isAfter(now)) {
                        return null;
                    }
                    Audience.Renewal r = a.renewal();
                    Audience next = a.withRenewal(new Audience.Renewal(a.definition().schedule().next(now),
                            r.previousRenewTime(), r.pausedAt(), r.pauseReason()));
                    return a.progress().status().active() ? save(tx, next, now) : enqueue(tx, next, now);
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "renewal of audience " + due.id() + " failed", e);
            }
        }
    }

    @Override
    public void organizationDeactivated(DbExecute tx, UUID organizationId) {
        Instant now = clock.now();
        store.activeInOrganizationTree(tx, organizationId).forEach(a -> pause(tx, a, Audience.PauseReason.ORG_INACTIVE, now));
    }

    @Override
    public void projectDeactivated(DbExecute tx, UUID projectId) {
        Instant now = clock.now();
        store.activeInProject(tx, projectId).forEach(a -> pause(tx, a, Audience.PauseReason.PROJECT_INACTIVE, now));
    }

    private CompiledFilter validateFilter(FilterGroupDto filter) {
        CompiledFilter compiled = compiler.compile(filter, "/filter");
        List<String> named = compiled.allTopics();
        Map<String, Integer> known = topics.topicKeys(named);
        List<DomainException.FieldError> unknown = new ArrayList<>();
        named.stream().filter(t -> !known.containsKey(t))
                .forEach(t -> unknown.add(new DomainException.FieldError("/filter", "unknown topic id " + t)));
        if (!unknown.isEmpty()) {
            throw new DomainException(DomainException.Kind.INVALID, ErrorCode.UNKNOWN_TOPIC,
                    "The filter names topics that are not in the taxonomy.", unknown, Map.of());
        }
        return compiled;
    }

    private void requireActive(Project project) {
        if (!tenancy.isEffectivelyActive(project.organizationId())) {
            throw DomainException.conflict(ErrorCode.ORG_INACTIVE, "The organization is inactive.");
        }
        if (!project.active()) {
            throw DomainException.conflict(ErrorCode.PROJECT_INACTIVE, "The project is inactive.");
        }
    }

    /** A change applied to a locked audience. */
    @FunctionalInterface
    private interface Mutation {
        Audience apply(DbExecute tx, Audience current, Instant now);
    }

    private Audience mutate(UUID projectId, long id, TransactionHook<Audience> hook, Mutation mutation) {
        return db.inTransaction(tx -> {
            Audience a = store.lock(tx, projectId, id).orElseThrow(() -> DomainException.notFound("Audience"));
            Audience changed = mutation.apply(tx, a, clock.now());
            return hook.apply(tx, store.find(tx, projectId, changed.id()).orElseThrow());
        });
    }

    /**
     * Queues a build a caller asked for, unless the tenant's backlog is full. Counted in the caller's transaction
     * without a lock: requests of one tenant racing at the same instant may each take the last place, so the bound
     * can be passed by the number of such requests, never by a tenant's steady load.
     */
    private Audience requested(DbExecute tx, Audience a, Instant now) {
        if (builds.queuedInTenantOf(tx, a.organizationId()) >= buildBacklog) {
            throw new DomainException(DomainException.Kind.RATE_LIMITED, ErrorCode.BUILD_BACKLOG_FULL, "The organization already "
                    + "has " + buildBacklog + " builds waiting for a worker; retry when some have run.", List.of(),
                    Map.of(DomainException.RETRY_AFTER, BACKLOG_RETRY_AFTER_SECONDS));
        }
        return enqueue(tx, a, now);
    }

    private Audience enqueue(DbExecute tx, Audience a, Instant now) {
        long buildId = builds.enqueue(tx, a.id(), now);
        BuildLog.queued(a.id(), buildId, a.organizationId());
        return save(tx, a.withProgress(new Audience.Progress(BuildStatus.PENDING, null, null, buildId)), now);
    }

    /**
     * The version check of a conditional change. It runs on the row locked by {@code SELECT ... FOR UPDATE}, and the
     * write itself is a compare-and-set on the version ({@link AudienceStore#update}): of two changes sent with the
     * same {@code If-Match}, the second waits for the first's lock, then finds a newer version and changes nothing.
     */
    private static void requireMatch(Audience a, Optional<String> ifMatch) {
        Preconditions.require(ifMatch, a.etag(), "audience");
    }

    private Audience save(DbExecute tx, Audience a, Instant now) {
        if (!store.update(tx, a, now)) {
            // Unreachable under the row lock taken by every caller; the guard keeps a lost update impossible if not.
            throw Preconditions.failed("audience", a.etag());
        }
        return a;
    }

    /** Pauses {@code a} and publishes {@code audience.paused} in the same transaction. */
    private Audience pause(DbExecute tx, Audience a, Audience.PauseReason reason, Instant now) {
        Audience paused = save(tx, a.withRenewal(new Audience.Renewal(null, a.renewal().renewTime(), now, reason)), now);
        publish(tx, EventType.PAUSED, paused, paused.progress().status().label(), reason.value());
        return paused;
    }

    private void publish(DbExecute tx, EventType type, Audience a, String status, String pauseReason) {
        outbox.publish(tx, AudienceEvent.lifecycle(type, a.organizationId(), a.projectId(), a.id(), status, pauseReason));
    }
}
