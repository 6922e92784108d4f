package io.audiences.server.taxonomy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The intent taxonomy as the API reads it: categories > subcategories > topics, shared by every tenant. */
public final class Taxonomy {

    private Taxonomy() {
    }

    public record Category(UUID id, String name, String description, String status, Instant createdAt, Instant updatedAt) { }

    public record Subcategory(UUID id, UUID categoryId, String categoryName, String name, String description, String status,
                              Instant createdAt, Instant updatedAt) { }

    public record Topic(String id, int topicKey, UUID categoryId, String categoryName, UUID subcategoryId,
                        String subcategoryName, String name, String description, List<String> keywords, String topicType,
                        String status, Instant createdAt, Instant updatedAt) { }

    /** Filters shared by list and count; absent values do not filter. */
    public record Filter(Optional<String> search, Optional<String> status, Optional<UUID> categoryId,
                         Optional<UUID> subcategoryId, Optional<String> topicType) {

        public static Filter none() {
            return new Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }
}
