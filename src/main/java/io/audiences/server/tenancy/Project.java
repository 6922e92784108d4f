package io.audiences.server.tenancy;

import java.time.Instant;
import java.util.UUID;

import io.audiences.server.platform.Preconditions;

/** A stored project; {@code version} counts its writes (its ETag names it). */
public record Project(UUID id, long seq, UUID organizationId, String name, String status,
                      Instant createdAt, Instant updatedAt, long version) {

    public String etag() {
        return Preconditions.etag(id, version);
    }

    public boolean active() {
        return TenancyStore.ACTIVE.equals(status);
    }
}
