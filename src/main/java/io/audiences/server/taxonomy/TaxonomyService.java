package io.audiences.server.taxonomy;

import java.util.List;
import java.util.UUID;

import io.audiences.server.platform.DomainException;

/** Reads of the shared taxonomy. No tenant scoping: every credential sees the same catalog. */
public final class TaxonomyService {

    private final TaxonomyStore store;

    public TaxonomyService(TaxonomyStore store) {
        this.store = store;
    }

    public List<Taxonomy.Category> categories(Taxonomy.Filter filter, int limit, int offset) {
        return store.categories(filter, limit, offset);
    }

    public long countCategories(Taxonomy.Filter filter) {
        return store.countCategories(filter);
    }

    public Taxonomy.Category category(UUID id) {
        return store.category(id).orElseThrow(() -> DomainException.notFound("Category"));
    }

    public List<Taxonomy.Subcategory> subcategories(Taxonomy.Filter filter, int limit, int offset) {
        return store.subcategories(filter, limit, offset);
    }

    public long countSubcategories(Taxonomy.Filter filter) {
        return store.countSubcategories(filter);
    }

    public Taxonomy.Subcategory subcategory(UUID id) {
        return store.subcategory(id).orElseThrow(() -> DomainException.notFound("Subcategory"));
    }

    public List<Taxonomy.Topic> topics(Taxonomy.Filter filter, int limit, int offset) {
        return store.topics(filter, limit, offset);
    }

    public long countTopics(Taxonomy.Filter filter) {
        return store.countTopics(filter);
    }

    public Taxonomy.Topic topic(String id) {
        return store.topic(id).orElseThrow(() -> DomainException.notFound("Topic"));
    }
}
