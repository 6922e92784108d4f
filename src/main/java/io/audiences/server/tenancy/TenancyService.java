package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.audiences.server.audit.AuditLog;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.TransactionHook;

import io.helidon.dbclient.DbExecute;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Organizations and projects as seen by a caller: everything outside the caller's subtree does not
 * exist (404), so ids of other tenants leak nothing.
 */
public final class TenancyService {

    private final Database db;
    private final TenancyStore store;
    private final Clock clock;
    private final Quotas quotas;
    private final AuditLog audit;
    private final List<DeactivationListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * (organization, project) pairs seen with the project in the organization's subtree. Projects and organizations
     * are never moved or deleted, so such a pair stays true for good: it needs no invalidation, only a bound.
     */
    private final Cache<ScopedProject, Boolean> inSubtree = Caffeine.newBuilder().maximumSize(100_000).build();

    private record ScopedProject(UUID organizationId, UUID projectId) { }

    public TenancyService(Database db, TenancyStore store, Clock clock, Quotas quotas, AuditLog audit) {
        this.db = db;
        this.store = store;
        this.clock = clock;
        this.quotas = quotas;
        this.audit = audit;
    }

    /** Told, inside the deactivating transaction, when an organization or project becomes inactive. */
    public interface DeactivationListener {
        void organizationDeactivated(DbExecute tx, UUID organizationId);

        void projectDeactivated(DbExecute tx, UUID projectId);
    }

    public void onDeactivation(DeactivationListener listener) {
        listeners.add(listener);
    }

    /** Creates a top-level organization (bootstrap and demo only; the API creates children). */
    public Organization createTopLevel(DbExecute tx, String name, Optional<String> enterpriseName) {
        Instant now = clock.now();
        UUID enterpriseId = null;
        if (enterpriseName.isPresent()) {
            enterpriseId = Ids.uuid();
            store.insertEnterprise(tx, enterpriseId, enterpriseName.get(), now);
        }
        UUID id = Ids.uuid();
        store.insertOrganization(tx, id, name, null, enterpriseId, now);
        return new Organization(id, 0, name, null, enterpriseId, TenancyStore.ACTIVE, now, now, 0);
    }

    public Organization createOrganization(Principal caller, String name, Optional<UUID> parentId,
                                           TransactionHook<Organization> hook) {
        Organization parent = organization(caller, parentId.orElse(caller.organizationId()));
        requireActive(parent);
        UUID id = Ids.uuid();
        return db.inTransaction(tx -> {
            quotas.require(tx, parent.id(), Quotas.Resource.ORGANIZATIONS);
            store.insertOrganization(tx, id, name, parent.id(), parent.enterpriseId(), clock.now());
            // The parent's event: creating a child is something the parent did.
            audit.record(tx, parent.id(), "organization.created", "organization", id, Map.of("name", name));
            return hook.apply(tx, store.findOrganization(tx, caller.organizationId(), id).orElseThrow());
        });
    }

    /**
     * Refuses (409 {@code quota_exceeded}) when the tenant of {@code organizationId} holds its quota of {@code resource};
     * every creation calls it in its own transaction, before inserting.
     */
    public void requireQuota(DbExecute tx, UUID organizationId, Quotas.Resource resource) {
        quotas.require(tx, organizationId, resource);
    }

    public Organization organization(Principal caller, UUID id) {
        return store.findOrganization(caller.organizationId(), id).orElseThrow(() -> DomainException.notFound("Organization"));
    }

    public Page<Organization> organizations(Principal caller, Optional<String> cursor, int limit) {
        return Page.of(store.listOrganizations(caller.organizationId(), Page.after(cursor), limit), limit, Organization::seq);
    }

    /** Edits an organization; with {@code ifMatch}, only the version it names (412 {@code precondition_failed} otherwise). */
    public Organization updateOrganization(Principal caller, UUID id, Optional<String> name, Optional<String> status,
                                           Optional<String> ifMatch) {
        Organization current = organization(caller, id);
        Preconditions.require(ifMatch, current.etag(), "organization");
        if (status.isPresent() && !status.get().equals(current.status()) && id.equals(caller.organizationId())) {
            throw DomainException.conflict(ErrorCode.OWN_ORGANIZATION_STATUS,
                    "A credential cannot change the status of its own organization; use a parent organization's credential.");
        }
        String newStatus = status.orElse(current.status());
        db.inTransaction(tx -> {
            if (!store.updateOrganization(tx, id, name.orElse(current.name()), newStatus, clock.now(), expected(ifMatch, current.version()))) {
                throw Preconditions.failed("organization", organization(caller, id).etag());
            }
            audit.record(tx, id, "organization.updated", "organization", id, changes(current.name(), name, current.status(), status));
            if (current.active() && !TenancyStore.ACTIVE.equals(newStatus)) {
                listeners.forEach(l -> l.organizationDeactivated(tx, id));
            }
            return null;
        });
        return organization(caller, id);
    }

    /**
     * The version a conditional write must still find: the one checked against {@code If-Match}, so a write that
     * commits between the check and this one makes it 412 rather than be overwritten. Unconditional without one.
     */
    private static OptionalLong expected(Optional<String> ifMatch, long checkedVersion) {
        return ifMatch.isPresent() ? OptionalLong.of(checkedVersion) : OptionalLong.empty();
    }

    /** The audit details of a name and status update: what each was set to. */
    private static Map<String, String> changes(String oldName, Optional<String> name, String oldStatus, Optional<String> status) {
        Map<String, String> details = new LinkedHashMap<>();
        name.filter(n -> !n.equals(oldName)).ifPresent(n -> details.put("name", n));
        status.filter(s -> !s.equals(oldStatus)).ifPresent(s -> details.put("status", s));
        return details;
    }

    /** Whether an organization with this id exists at all (startup checks, not callers). */
    public boolean isKnown(UUID organizationId) {
        return store.exists(organizationId);
    }

    public boolean isEffectivelyActive(UUID organizationId) {
        return store.isEffectivelyActive(organizationId);
    }

    /** Nothing new is created under an organization that is inactive or has an inactive ancestor. */
    public void requireActive(Organization organization) {
        if (!store.isEffectivelyActive(organization.id())) {
            throw DomainException.conflict(ErrorCode.ORGANIZATION_INACTIVE, "The organization is inactive; activate it first.");
        }
    }

    /** Creates a project without a caller (bootstrap and demo). */
    public Project createProject(DbExecute tx, UUID organizationId, String name) {
        UUID id = Ids.uuid();
        Instant now = clock.now();
        quotas.require(tx, organizationId, Quotas.Resource.PROJECTS);
        store.insertProject(tx, id, organizationId, name, now);
        return new Project(id, 0, organizationId, name, TenancyStore.ACTIVE, now, now, 0);
    }

    public Project createProject(Principal caller, String name, Optional<UUID> organizationId, TransactionHook<Project> hook) {
        Organization owner = organization(caller, organizationId.orElse(caller.organizationId()));
        requireActive(owner);
        return db.inTransaction(tx -> {
            UUID id = createProject(tx, owner.id(), name).id();
            audit.record(tx, owner.id(), "project.created", "project", id, Map.of("name", name));
            return hook.apply(tx, store.findProject(tx, caller.organizationId(), id).orElseThrow());
        });
    }

    /** Whether {@code projectId} was seen in the subtree of {@code organizationId} (false: not known either way). */
    public boolean knownInSubtree(UUID organizationId, UUID projectId) {
        return inSubtree.getIfPresent(new ScopedProject(organizationId, projectId)) != null;
    }

    /** Records that a read found {@code projectId} in the subtree of {@code organizationId}. */
    public void seenInSubtree(UUID organizationId, UUID projectId) {
        inSubtree.put(new ScopedProject(organizationId, projectId), Boolean.TRUE);
    }

    public Project project(Principal caller, UUID id) {
        return store.findProject(caller.organizationId(), id).orElseThrow(() -> DomainException.notFound("Project"));
    }

    public Page<Project> projects(Principal caller, Optional<UUID> organizationId, Optional<String> cursor, int limit) {
        return Page.of(store.listProjects(caller.organizationId(), organizationId, Page.after(cursor), limit), limit,
                Project::seq);
    }

    /** Edits a project; with {@code ifMatch}, only the version it names (412 {@code precondition_failed} otherwise). */
    public Project updateProject(Principal caller, UUID id, Optional<String> name, Optional<String> status,
                                 Optional<String> ifMatch) {
        Project current = project(caller, id);
        Preconditions.require(ifMatch, current.etag(), "project");
        String newStatus = status.orElse(current.status());
        db.inTransaction(tx -> {
            if (!store.updateProject(tx, id, name.orElse(current.name()), newStatus, clock.now(), expected(ifMatch, current.version()))) {
                throw Preconditions.failed("project", project(caller, id).etag());
            }
            audit.record(tx, current.organizationId(), "project.updated", "project", id,
                    changes(current.name(), name, current.status(), status));
            if (current.active() && !TenancyStore.ACTIVE.equals(newStatus)) {
                listeners.forEach(l -> l.projectDeactivated(tx, id));
            }
            return null;
        });
        return project(caller, id);
    }
}
