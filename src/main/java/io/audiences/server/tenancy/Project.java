package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.UUID;

/** A stored project. */
public record Project(UUID id, long seq, UUID organizationId, String name, String status,
                      Instant createdAt, Instant updatedAt) {

    public boolean active() {
        return TenancyStore.ACTIVE.equals(status);
    }
}
