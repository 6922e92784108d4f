package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.audiences.server.auth.Principal;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.TransactionHook;

import io.helidon.dbclient.DbExecute;

/**
 * Organizations and projects as seen by a caller: everything outside the caller's subtree does not
 * exist (404), so ids of other tenants leak nothing.
 */
public final class TenancyService {

    private final Database db;
    private final TenancyStore store;
    private final Clock clock;
    private final List<DeactivationListener> listeners = new CopyOnWriteArrayList<>();

    public TenancyService(Database db, TenancyStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
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
        return new Organization(id, 0, name, null, enterpriseId, TenancyStore.ACTIVE, now, now);
    }

    public Organization createOrganization(Principal caller, String name, Optional<UUID> parentId,
                                           TransactionHook<Organization> hook) {
        Organization parent = organization(caller, parentId.orElse(caller.organizationId()));
        requireActive(parent);
        UUID id = Ids.uuid();
        return db.inTransaction(tx -> {
            store.insertOrganization(tx, id, name, parent.id(), parent.enterpriseId(), clock.now());
            return hook.apply(tx, store.findOrganization(tx, caller.organizationId(), id).orElseThrow());
        });
    }

    public Organization organization(Principal caller, UUID id) {
        return store.findOrganization(caller.organizationId(), id).orElseThrow(() -> DomainException.notFound("Organization"));
    }

    public Page<Organization> organizations(Principal caller, Optional<String> cursor, int limit) {
        return Page.of(store.listOrganizations(caller.organizationId(), Page.after(cursor), limit), limit, Organization::seq);
    }

    public Organization updateOrganization(Principal caller, UUID id, Optional<String> name, Optional<String> status) {
        Organization current = organization(caller, id);
        if (status.isPresent() && !status.get().equals(current.status()) && id.equals(caller.organizationId())) {
            throw DomainException.conflict("own_organization_status",
                    "A credential cannot change the status of its own organization; use a parent organization's credential.");
        }
        String newStatus = status.orElse(current.status());
        db.inTransaction(tx -> {
            store.updateOrganization(tx, id, name.orElse(current.name()), newStatus, clock.now());
            if (current.active() && !TenancyStore.ACTIVE.equals(newStatus)) {
                listeners.forEach(l -> l.organizationDeactivated(tx, id));
            }
            return null;
        });
        return organization(caller, id);
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
            throw DomainException.conflict("organization_inactive", "The organization is inactive; activate it first.");
        }
    }

    /** Creates a project without a caller (bootstrap and demo). */
    public Project createProject(DbExecute tx, UUID organizationId, String name) {
        UUID id = Ids.uuid();
        Instant now = clock.now();
        store.insertProject(tx, id, organizationId, name, now);
        return new Project(id, 0, organizationId, name, TenancyStore.ACTIVE, now, now);
    }

    public Project createProject(Principal caller, String name, Optional<UUID> organizationId, TransactionHook<Project> hook) {
        Organization owner = organization(caller, organizationId.orElse(caller.organizationId()));
        requireActive(owner);
        return db.inTransaction(tx -> {
            UUID id = createProject(tx, owner.id(), name).id();
            return hook.apply(tx, store.findProject(tx, caller.organizationId(), id).orElseThrow());
        });
    }

    public Project project(Principal caller, UUID id) {
        return store.findProject(caller.organizationId(), id).orElseThrow(() -> DomainException.notFound("Project"));
    }

    public Page<Project> projects(Principal caller, Optional<UUID> organizationId, Optional<String> cursor, int limit) {
        return Page.of(store.listProjects(caller.organizationId(), organizationId, Page.after(cursor), limit), limit,
                Project::seq);
    }

    public Project updateProject(Principal caller, UUID id, Optional<String> name, Optional<String> status) {
        Project current = project(caller, id);
        String newStatus = status.orElse(current.status());
        db.inTransaction(tx -> {
            store.updateProject(tx, id, name.orElse(current.name()), newStatus, clock.now());
            if (current.active() && !TenancyStore.ACTIVE.equals(newStatus)) {
                listeners.forEach(l -> l.projectDeactivated(tx, id));
            }
            return null;
        });
        return project(caller, id);
    }
}
