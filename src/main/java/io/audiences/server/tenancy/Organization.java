package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.UUID;

import io.audiences.server.platform.Preconditions;

/** A stored organization; {@code version} counts its writes (its ETag names it). */
public record Organization(UUID id, long seq, String name, UUID parentId, UUID enterpriseId, String status,
                           Instant createdAt, Instant updatedAt, long version) {

    public String etag() {
        return Preconditions.etag(id, version);
    }

    public boolean active() {
        return TenancyStore.ACTIVE.equals(status);
    }
}
