package io.audiences.server.tenancy;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

import io.audiences.server.platform.ConfigurationException;
import io.audiences.server.platform.Configured;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

import io.helidon.config.Config;
import io.helidon.dbclient.DbExecute;

/**
 * How much of each kind of resource one tenant (a top-level organization with all its descendants) may hold:
 * creating one more than its quota answers 409 {@code quota_exceeded}. A conflict rather than a 429: waiting does not
 * help, deleting (or raising the quota) does. Counting and inserting run in one transaction that first locks the
 * tenant's row, so two creations at the same instant cannot both take the last place, on any instance.
 */
public final class Quotas {

    /** What is counted, with its configuration key ({@code audiences.quotas.<key>}; defaults in application.yaml). */
    public enum Resource {
        ORGANIZATIONS("organizations", "child organizations"),
        PROJECTS("projects", "projects"),
        USERS("users", "users"),
        API_CLIENTS("api-clients", "API clients"),
        APPS("apps", "apps"),
        AUDIENCES("audiences", "audiences");

        final String key;
        final String noun;

        Resource(String key, String noun) {
            this.key = key;
            this.noun = noun;
        }
    }

    private final Map<Resource, Integer> limits;
    private final QuotaStore store;

    Quotas(Map<Resource, Integer> limits, QuotaStore store) {
        this.limits = Map.copyOf(limits);
        this.store = store;
    }

    /** The quotas of {@code audiences.quotas}: one for each resource, all required. */
    public static Quotas from(Config quotas) {
        Map<Resource, Integer> limits = new EnumMap<>(Resource.class);
        for (Resource r : Resource.values()) {
            int limit = Configured.required(quotas.get(r.key), Integer.class);
            if (limit < 1) {
                throw new ConfigurationException("audiences.quotas." + r.key + " must be positive");
            }
            limits.put(r, limit);
        }
        return new Quotas(limits, new QuotaStore());
    }

    /**
     * Refuses (409 {@code quota_exceeded}) when the tenant of {@code organizationId} already holds its quota of
     * {@code resource}; call it in the transaction that then creates one.
     */
    public void require(DbExecute tx, UUID organizationId, Resource resource) {
        UUID tenant = store.lockTenant(tx, organizationId);
        long held = store.count(tx, tenant, resource);
        int limit = limits.get(resource);
        if (held >= limit) {
            throw DomainException.conflict(ErrorCode.QUOTA_EXCEEDED, "The tenant already has " + held + " " + resource.noun
                    + ", its quota (audiences.quotas." + resource.key + " = " + limit + ").");
        }
    }
}
