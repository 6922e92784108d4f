package io.audiences.server.taxonomy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of the taxonomy API (reads, and the topics accepted from topic requests). Portable between H2 (PostgreSQL mode) and PostgreSQL. */
public final class TaxonomyStore {

    private static final String CATEGORY_FROM = "FROM taxonomy_category c";
    private static final String CATEGORY_COLUMNS = "c.id, c.name, c.description, c.status, c.created_at, c.updated_at";
    private static final String SUBCATEGORY_FROM = "FROM taxonomy_subcategory s JOIN taxonomy_category c ON c.id = s.category_id";
    private static final String SUBCATEGORY_COLUMNS = "s.id, s.category_id, c.name AS category_name, s.name, s.description, "
            + "s.status, s.created_at, s.updated_at";
    private static final String TOPIC_FROM = "FROM taxonomy_topic t JOIN taxonomy_subcategory s ON s.id = t.subcategory_id "
            + "JOIN taxonomy_category c ON c.id = s.category_id";
    private static final String TOPIC_COLUMNS = "t.id, t.topic_key, s.category_id, c.name AS category_name, t.subcategory_id, "
            + "s.name AS subcategory_name, t.name, t.description, t.keywords, t.topic_type, t.status, t.created_at, t.updated_at";

    private final Database db;

    public TaxonomyStore(Database db) {
        this.db = db;
    }

    /**
     * The compact keys the signal table stores for the known topics among {@code ids} (public topic ids); unknown
     * ids are absent from the map. Read by filter validation and by builds.
     */
    public Map<String, Integer> topicKeys(List<String> ids) {
        Map<String, Integer> result = new HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String sql = "SELECT id, topic_key FROM taxonomy_topic WHERE id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
            try (Stream<DbRow> rows = db.client().execute().query(sql, chunk.toArray())) {
                rows.forEach(r -> result.put(r.column("id").get(String.class), r.column("topic_key").get(Integer.class)));
            }
        }
        return result;
    }

    public List<Taxonomy.Category> categories(Taxonomy.Filter filter, int limit, int offset) {
        Where where = where("c", filter);
        return list("SELECT " + CATEGORY_COLUMNS + " " + CATEGORY_FROM + where.sql + " ORDER BY c.name, c.id"
                + page(limit, offset), where.params, TaxonomyStore::category);
    }

    public long countCategories(Taxonomy.Filter filter) {
        Where where = where("c", filter);
        return count(CATEGORY_FROM + where.sql, where.params);
    }

    public Optional<Taxonomy.Category> category(UUID id) {
        return db.client().execute().get("SELECT " + CATEGORY_COLUMNS + " " + CATEGORY_FROM + " WHERE c.id = ?", id)
                .map(TaxonomyStore::category);
    }

    public List<Taxonomy.Subcategory> subcategories(Taxonomy.Filter filter, int limit, int offset) {
        Where where = where("s", filter);
        return list("SELECT " + SUBCATEGORY_COLUMNS + " " + SUBCATEGORY_FROM + where.sql + " ORDER BY s.name, s.id"
                + page(limit, offset), where.params, TaxonomyStore::subcategory);
    }

    public long countSubcategories(Taxonomy.Filter filter) {
        Where where = where("s", filter);
        return count(SUBCATEGORY_FROM + where.sql, where.params);
    }

    public Optional<Taxonomy.Subcategory> subcategory(UUID id) {
        return db.client().execute().get("SELECT " + SUBCATEGORY_COLUMNS + " " + SUBCATEGORY_FROM + " WHERE s.id = ?", id)
                .map(TaxonomyStore::subcategory);
    }

    public List<Taxonomy.Topic> topics(Taxonomy.Filter filter, int limit, int offset) {
        Where where = where("t", filter);
        return list("SELECT " + TOPIC_COLUMNS + " " + TOPIC_FROM + where.sql + " ORDER BY t.name, t.id"
                + page(limit, offset), where.params, TaxonomyStore::topic);
    }

    public long countTopics(Taxonomy.Filter filter) {
        Where where = where("t", filter);
        return count(TOPIC_FROM + where.sql, where.params);
    }

    public Optional<Taxonomy.Topic> topic(String id) {
        return db.client().execute().get("SELECT " + TOPIC_COLUMNS + " " + TOPIC_FROM + " WHERE t.id = ?", id)
                .map(TaxonomyStore::topic);
    }

    /**
     * Adds an accepted topic request to the catalog, in the review's transaction. Upstream loads own the positive
     * {@code topic_key}s; an accepted topic's key is the negated request sequence, so a later load never collides
     * with it, and its id ({@code req_...}) is never an upstream id either.
     */
    public void insertAcceptedTopic(DbExecute tx, String id, int topicKey, UUID subcategoryId, String name, String description,
                                    List<String> keywords, String topicType, Instant now) {
        tx.insert("INSERT INTO taxonomy_topic (id, topic_key, subcategory_id, name, description, keywords, topic_type, status, "
                        + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)", id, topicKey, subcategoryId, name, description,
                String.join(",", keywords), topicType, Timestamps.param(now));
    }

    /** Conditions on the listed entity (alias {@code self}); its parents are {@code s} and {@code c}. */
    private static Where where(String self, Taxonomy.Filter filter) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        filter.search().filter(s -> !s.isEmpty()).ifPresent(s -> {
            conditions.add("LOWER(" + self + ".name) LIKE ? ESCAPE '\\'");
            params.add("%" + likeEscape(s.toLowerCase(Locale.ROOT)) + "%");
        });
        filter.status().ifPresent(s -> {
            conditions.add(self + ".status = ?");
            params.add(s);
        });
        filter.categoryId().ifPresent(id -> {
            conditions.add(("c".equals(self) ? "c.id" : "s.category_id") + " = ?");
            params.add(id);
        });
        filter.subcategoryId().ifPresent(id -> {
            conditions.add(("s".equals(self) ? "s.id" : "t.subcategory_id") + " = ?");
            params.add(id);
        });
        filter.topicType().ifPresent(type -> {
            conditions.add("t.topic_type = ?");
            params.add(type);
        });
        return new Where(conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions), params.toArray());
    }

    static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String page(int limit, int offset) {
        return " OFFSET " + offset + " ROWS FETCH FIRST " + limit + " ROWS ONLY";
    }

    private <T> List<T> list(String sql, Object[] params, java.util.function.Function<DbRow, T> mapper) {
        try (Stream<DbRow> rows = db.client().execute().query(sql, params)) {
            return rows.map(mapper).toList();
        }
    }

    private long count(String fromWhere, Object[] params) {
        return db.client().execute().get("SELECT COUNT(*) AS n " + fromWhere, params)
                .map(r -> r.column("n").get(Long.class)).orElse(0L);
    }

    private static Taxonomy.Category category(DbRow r) {
        return new Taxonomy.Category(r.column("id").get(UUID.class), r.column("name").get(String.class),
                r.column("description").get(String.class), r.column("status").get(String.class),
                Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"));
    }

    private static Taxonomy.Subcategory subcategory(DbRow r) {
        return new Taxonomy.Subcategory(r.column("id").get(UUID.class), r.column("category_id").get(UUID.class),
                r.column("category_name").get(String.class), r.column("name").get(String.class),
                r.column("description").get(String.class), r.column("status").get(String.class),
                Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"));
    }

    private static Taxonomy.Topic topic(DbRow r) {
        String keywords = r.column("keywords").get(String.class);
        return new Taxonomy.Topic(r.column("id").get(String.class), r.column("topic_key").get(Integer.class),
                r.column("category_id").get(UUID.class), r.column("category_name").get(String.class),
                r.column("subcategory_id").get(UUID.class), r.column("subcategory_name").get(String.class),
                r.column("name").get(String.class), r.column("description").get(String.class),
                keywords == null || keywords.isBlank() ? List.of()
                        : Arrays.stream(keywords.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList(),
                r.column("topic_type").get(String.class), r.column("status").get(String.class),
                Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"));
    }

    private record Where(String sql, Object[] params) { }
}
