package io.audiences.server.tenancy;

import java.util.UUID;

import io.helidon.dbclient.DbExecute;

/** The counts quotas compare: every row of a kind held anywhere in a tenant's subtree. */
final class QuotaStore {

    /** Locks the tenant's organization row for the rest of the transaction and returns its id. */
    UUID lockTenant(DbExecute tx, UUID organizationId) {
        return tx.get("SELECT id FROM organization WHERE id = " + TenancyStore.tenantOf("?") + " FOR UPDATE", organizationId)
                .orElseThrow(() -> new IllegalStateException("No tenant for organization " + organizationId))
                .column("id").get(UUID.class);
    }

    long count(DbExecute tx, UUID tenant, Quotas.Resource resource) {
        String sql = switch (resource) {
            case ORGANIZATIONS -> "SELECT COUNT(*) AS n FROM organization_closure c WHERE c.ancestor_id = ? AND c.depth > 0";
            case PROJECTS -> inSubtree("project", "");
            case USERS -> inSubtree("app_user", "");
            case API_CLIENTS -> inSubtree("api_client", " AND t.deleted_at IS NULL");
            case APPS -> inSubtree("app", " AND t.status = '" + TenancyStore.ACTIVE + "'");
            case AUDIENCES -> inSubtree("audience", "");
        };
        return tx.get(sql, tenant).orElseThrow().column("n").get(Number.class).longValue();
    }

    private static String inSubtree(String table, String condition) {
        return "SELECT COUNT(*) AS n FROM " + table + " t JOIN organization_closure c ON c.descendant_id = t.organization_id "
                + "WHERE c.ancestor_id = ?" + condition;
    }
}
