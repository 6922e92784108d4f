package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.UUID;

/** A stored organization. */
public record Organization(UUID id, long seq, String name, UUID parentId, UUID enterpriseId, String status,
                           Instant createdAt, Instant updatedAt) {

    public boolean active() {
        return TenancyStore.ACTIVE.equals(status);
    }
}
