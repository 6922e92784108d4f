package io.audiences.server.audiences;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.model.AudienceCreateRequest;
import io.audiences.model.AudienceUpdateRequest;
import io.audiences.model.FilterGroup;
import io.audiences.server.auth.Principal;
import io.audiences.server.builds.BuildStore;
import io.audiences.server.catalog.CompiledFilter;
import io.audiences.server.catalog.FilterCompiler;
import io.audiences.server.catalog.TopicDirectory;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.tenancy.Project;
import io.audiences.server.tenancy.TenancyService;

import io.helidon.dbclient.DbExecute;

/**
 * The audience lifecycle: create, edit, delete, refresh, pause and resume, plus scheduled renewal and the
 * automatic pause when an organization or project is deactivated. Every call is scoped to one project the
 * caller reaches; anything else is 404.
 */
public final class AudienceService implements TenancyService.DeactivationListener {

    private static final Logger LOG = Logger.getLogger(AudienceService.class.getName());

    private final Database db;
    private final AudienceStore store;
    private final BuildStore builds;
    private final TenancyService tenancy;
    private final FilterCompiler compiler;
    private final TopicDirectory topics;
    private final Clock clock;

    public AudienceService(Database db, AudienceStore store, BuildStore builds, TenancyService tenancy,
                           FilterCompiler compiler, TopicDirectory topics, Clock clock) {
        this.db = db;
        this.store = store;
        this.builds = builds;
        this.tenancy = tenancy;
        this.compiler = compiler;
        this.topics = topics;
        this.clock = clock;
    }

    public Audience create(Principal caller, UUID projectId, AudienceCreateRequest req, TransactionHook<Audience> hook) {
        Project project = tenancy.project(caller, projectId);
        if (req.getProjectId() != null && !req.getProjectId().equals(projectId)) {
            throw DomainException.invalid("project_mismatch", "/project_id", "project_id differs from the request's project.");
        }
        if (req.getOrganizationId() != null && !req.getOrganizationId().equals(project.organizationId())) {
            throw DomainException.invalid("organization_mismatch", "/organization_id",
                    "organization_id is not the project's organization.");
        }
        String type = req.getType().toString();
        CompiledFilter filter = validateFilter(req.getFilter());
        if ("intents".equals(type) && filter.intentRules().isEmpty()) {
            throw DomainException.invalid("intent_rule_required", "/filter",
                    "An intents audience needs an INTENT rule with topic ids.");
        }
        requireActive(project);
        Instant now = clock.now();
        String schedule = req.getRefreshSchedule() != null ? req.getRefreshSchedule().toString()
                : "intents".equals(type) ? Schedules.DAILY : Schedules.WEEKLY;
        String segmentation = req.getSegmentationType() != null ? req.getSegmentationType().toString()
                : "intents".equals(type) ? "Audience" : "Persona";
        Audience draft = new Audience(0, project.organizationId(), projectId, req.getName(), req.getDescription(), type,
                segmentation, Json.JSONB.toJson(req.getFilter()),
                req.getIntentWindowDays() == null ? 1 : req.getIntentWindowDays(), schedule,
                req.getMode() == null ? "unload" : req.getMode().toString(), Audience.PENDING, null, null, null, null, 0, 0,
                "{}", null, null, Schedules.next(schedule, now), null, null, null, 1, now, now);
        return db.inTransaction(tx -> {
            long id = store.insert(tx, draft);
            enqueue(tx, store.find(tx, projectId, id).orElseThrow(), now);
            return hook.apply(tx, store.find(tx, projectId, id).orElseThrow());
        });
    }

    public Audience get(Principal caller, UUID projectId, long id) {
        // One read on the hot path; on a miss, the two-step lookup says whether the project or the audience is unknown.
        Optional<Audience> visible = store.findVisible(caller.organizationId(), projectId, id);
        if (visible.isPresent()) {
            return visible.get();
        }
        tenancy.project(caller, projectId);
        return store.find(projectId, id).orElseThrow(() -> DomainException.notFound("Audience"));
    }

    public Page<Audience> list(Principal caller, UUID projectId, Optional<String> status, Optional<String> type,
                               Optional<String> cursor, int limit) {
        tenancy.project(caller, projectId);
        return Page.of(store.list(projectId, status, type, Page.after(cursor), limit), limit, Audience::id);
    }

    public Audience update(Principal caller, UUID projectId, long id, AudienceUpdateRequest req) {
        tenancy.project(caller, projectId);
        Optional<CompiledFilter> filter = Optional.ofNullable(req.getFilter()).map(this::validateFilter);
        return mutate(projectId, id, TransactionHook.none(), (tx, a, now) -> {
            boolean rebuild = filter.isPresent() || (req.getIntentWindowDays() != null && req.getIntentWindowDays() != a.windowDays());
            if (filter.isPresent() && "intents".equals(a.type()) && filter.get().intentRules().isEmpty()) {
                throw DomainException.invalid("intent_rule_required", "/filter",
                        "An intents audience needs an INTENT rule with topic ids.");
            }
            if (rebuild && Audience.SYNCING.equals(a.status())) {
                throw DomainException.conflict("audience_syncing", "The audience is being written; retry when it completes.");
            }
            String schedule = req.getRefreshSchedule() == null ? a.schedule() : req.getRefreshSchedule().toString();
            boolean scheduleChanged = !schedule.equals(a.schedule());
            Audience edited = new Audience(a.id(), a.organizationId(), a.projectId(),
                    req.getName() == null ? a.name() : req.getName(),
                    req.getDescription() == null ? a.description() : req.getDescription(), a.type(), a.segmentationType(),
                    req.getFilter() == null ? a.filterJson() : Json.JSONB.toJson(req.getFilter()),
                    req.getIntentWindowDays() == null ? a.windowDays() : req.getIntentWindowDays(), schedule, a.mode(),
                    a.status(), a.error(), a.taskId(), a.currentBuildId(), a.latestBuildId(), a.recordCount(),
                    a.distinctProfileCount(), a.bucketCounts(), a.dataThrough(), a.lastBuiltAt(),
                    scheduleChanged && !a.paused() ? Schedules.next(schedule, now) : a.renewTime(),
                    scheduleChanged && a.paused() ? Schedules.next(schedule, now) : a.previousRenewTime(),
                    a.pausedAt(), a.pauseReason(), a.version(), a.createdAt(), now);
            return rebuild ? enqueue(tx, edited, now) : save(tx, edited, now);
        });
    }

    public void delete(Principal caller, UUID projectId, long id) {
        tenancy.project(caller, projectId);
        db.inTransaction(tx -> {
            store.lock(tx, projectId, id).orElseThrow(() -> DomainException.notFound("Audience"));
            store.delete(tx, id);
            return null;
        });
    }

    public Audience refresh(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook) {
        tenancy.project(caller, projectId);
        return mutate(projectId, id, hook, (tx, a, now) -> {
            if (a.paused()) {
                throw new DomainException(DomainException.Kind.CONFLICT, "audience_paused",
                        "The audience is paused (" + a.pauseReason() + "); resume it before refreshing.", List.of(),
                        Map.of("pause_reason", a.pauseReason()));
            }
            if (Audience.SYNCING.equals(a.status())) {
                throw DomainException.conflict("audience_syncing", "The audience is being written; retry when it completes.");
            }
            if (Audience.PENDING.equals(a.status())) {
                return a;
            }
            return enqueue(tx, a, now);
        });
    }

    public Audience pause(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook) {
        tenancy.project(caller, projectId);
        return mutate(projectId, id, hook, (tx, a, now) -> {
            if (a.paused()) {
                throw new DomainException(DomainException.Kind.CONFLICT, "audience_already_paused",
                        "The audience is already paused.", List.of(), Map.of("pause_reason", a.pauseReason()));
            }
            return save(tx, paused(a, "manual", now), now);
        });
    }

    public Audience resume(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook) {
        Project project = tenancy.project(caller, projectId);
        return mutate(projectId, id, hook, (tx, a, now) -> {
            if (!a.paused()) {
                throw DomainException.conflict("audience_not_paused", "The audience is not paused.");
            }
            if (!tenancy.isEffectivelyActive(project.organizationId())) {
                throw DomainException.conflict("org_inactive", "The organization is inactive; activate it before resuming.");
            }
            if (!project.active()) {
                throw DomainException.conflict("project_inactive", "The project is inactive; activate it before resuming.");
            }
            Instant stashed = a.previousRenewTime();
            Instant renew = stashed != null && stashed.isAfter(now) ? stashed : Schedules.next(a.schedule(), now);
            return save(tx, withPause(a, renew, null, null, null), now);
        });
    }

    /** Queues builds for every unpaused audience whose renewal time has come. */
    public void renewDue() {
        Instant now = clock.now();
        for (Audience due : store.due(now, 100)) {
            try {
                db.inTransaction(tx -> {
                    Audience a = store.lock(tx, due.projectId(), due.id()).orElse(null);
                    if (a == null || a.paused() || a.renewTime() == null || a.renewTime().isAfter(now)) {
                        return null;
                    }
                    Audience next = withPause(a, Schedules.next(a.schedule(), now), a.previousRenewTime(), a.pausedAt(),
                            a.pauseReason());
                    boolean busy = Audience.PENDING.equals(a.status()) || Audience.PROCESSING.equals(a.status())
                            || Audience.SYNCING.equals(a.status());
                    return busy ? save(tx, next, now) : enqueue(tx, next, now);
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "renewal of audience " + due.id() + " failed", e);
            }
        }
    }

    @Override
    public void organizationDeactivated(DbExecute tx, UUID organizationId) {
        Instant now = clock.now();
        store.activeInOrganizationTree(tx, organizationId).forEach(a -> save(tx, paused(a, "org_inactive", now), now));
    }

    @Override
    public void projectDeactivated(DbExecute tx, UUID projectId) {
        Instant now = clock.now();
        store.activeInProject(tx, projectId).forEach(a -> save(tx, paused(a, "project_inactive", now), now));
    }

    private CompiledFilter validateFilter(FilterGroup filter) {
        CompiledFilter compiled = compiler.compile(filter, "/filter");
        List<String> named = compiled.allTopics();
        Map<String, Integer> known = topics.keys(named);
        List<DomainException.FieldError> unknown = new ArrayList<>();
        named.stream().filter(t -> !known.containsKey(t))
                .forEach(t -> unknown.add(new DomainException.FieldError("/filter", "unknown topic id " + t)));
        if (!unknown.isEmpty()) {
            throw new DomainException(DomainException.Kind.INVALID, "unknown_topic",
                    "The filter names topics that are not in the taxonomy.", unknown, Map.of());
        }
        return compiled;
    }

    private void requireActive(Project project) {
        if (!tenancy.isEffectivelyActive(project.organizationId())) {
            throw DomainException.conflict("org_inactive", "The organization is inactive.");
        }
        if (!project.active()) {
            throw DomainException.conflict("project_inactive", "The project is inactive.");
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

    private Audience enqueue(DbExecute tx, Audience a, Instant now) {
        long buildId = builds.enqueue(tx, a.id(), now);
        Audience pending = new Audience(a.id(), a.organizationId(), a.projectId(), a.name(), a.description(), a.type(),
                a.segmentationType(), a.filterJson(), a.windowDays(), a.schedule(), a.mode(), Audience.PENDING, null, null,
                a.currentBuildId(), buildId, a.recordCount(), a.distinctProfileCount(), a.bucketCounts(), a.dataThrough(),
                a.lastBuiltAt(), a.renewTime(), a.previousRenewTime(), a.pausedAt(), a.pauseReason(), a.version(),
                a.createdAt(), now);
        return save(tx, pending, now);
    }

    private Audience save(DbExecute tx, Audience a, Instant now) {
        store.update(tx, a, now);
        return a;
    }

    private static Audience paused(Audience a, String reason, Instant now) {
        return withPause(a, null, a.renewTime(), now, reason);
    }

    private static Audience withPause(Audience a, Instant renew, Instant previous, Instant pausedAt, String reason) {
        return new Audience(a.id(), a.organizationId(), a.projectId(), a.name(), a.description(), a.type(),
                a.segmentationType(), a.filterJson(), a.windowDays(), a.schedule(), a.mode(), a.status(), a.error(),
                a.taskId(), a.currentBuildId(), a.latestBuildId(), a.recordCount(), a.distinctProfileCount(),
                a.bucketCounts(), a.dataThrough(), a.lastBuiltAt(), renew, previous, pausedAt, reason, a.version(),
                a.createdAt(), a.updatedAt());
    }
}
