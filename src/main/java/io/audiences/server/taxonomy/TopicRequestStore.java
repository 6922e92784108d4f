package io.audiences.server.taxonomy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/** All SQL of topic requests and their reviews. A scope limits every read to an organization and its descendants. */
public final class TopicRequestStore {

    static final String WAITING = "waiting_for_approval";

    private static final String COLUMNS = "r.id, r.topic_id, r.organization_id, r.name, r.description, r.subcategory_id, "
            + "r.topic_type, r.keywords, r.status, r.review_note, r.reviewed_at, r.created_at, r.updated_at";
    /** Reviewers read every tenant's requests (no scope); everyone else their organization's and its descendants'. */
    private static final String IN_SCOPE = "r.organization_id IN (SELECT descendant_id FROM organization_closure "
            + "WHERE ancestor_id = ?)";

    private final Database db;

    public TopicRequestStore(Database db) {
        this.db = db;
    }

    public void insert(DbExecute tx, TopicRequests.Request r) {
        tx.insert("INSERT INTO topic_request (id, topic_id, organization_id, name, description, subcategory_id, topic_type, "
                        + "keywords, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.id(), r.topicId(), r.organizationId(), r.name(), r.description(), r.subcategoryId(), r.topicType(),
                String.join(",", r.keywords()), r.status(), Timestamps.param(r.createdAt()));
    }

    /** Replaces the proposal while it waits; false when it was decided meanwhile (or is gone). */
    public boolean replace(DbExecute tx, UUID id, TopicRequests.Proposal p, Instant now) {
        return tx.update("UPDATE topic_request SET name = ?, description = ?, subcategory_id = ?, topic_type = ?, "
                        + "keywords = ?, updated_at = ? WHERE id = ? AND status = ?",
                p.name(), p.description(), p.subcategoryId(), p.topicType(), String.join(",", p.keywords()),
                Timestamps.param(now), id, WAITING) == 1;
    }

    /** Decides a waiting request; false when another review decided it first. */
    public boolean decide(DbExecute tx, UUID id, String status, String note, Instant now) {
        return tx.update("UPDATE topic_request SET status = ?, review_note = ?, reviewed_at = ?, updated_at = ? "
                + "WHERE id = ? AND status = ?", status, note, Timestamps.param(now), Timestamps.param(now), id, WAITING) == 1;
    }

    /** The request's sequence number, unique and stable: the key of the topic it becomes once accepted. */
    public long seq(DbExecute tx, UUID id) {
        return tx.get("SELECT seq FROM topic_request WHERE id = ?", id).map(r -> r.column("seq").get(Long.class)).orElseThrow();
    }

    public void insertReview(DbExecute tx, TopicRequests.Review r, UUID reviewerOrganizationId) {
        tx.insert("INSERT INTO topic_review (id, topic_request_id, status, note, reviewer_organization_id, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", r.id(), r.topicRequestId(), r.status(), r.note(), reviewerOrganizationId,
                Timestamps.param(r.createdAt()));
    }

    public Optional<TopicRequests.Request> find(Optional<UUID> scope, UUID id) {
        return find(db.client().execute(), scope, id);
    }

    public Optional<TopicRequests.Request> findByTopicId(Optional<UUID> scope, String topicId) {
        return findByTopicId(db.client().execute(), scope, topicId);
    }

    public Optional<TopicRequests.Request> find(DbExecute exec, Optional<UUID> scope, UUID id) {
        Where where = scoped(scope, "r.id = ?", id);
        return exec.get("SELECT " + COLUMNS + " FROM topic_request r" + where.sql, where.params).map(TopicRequestStore::request);
    }

    public Optional<TopicRequests.Request> findByTopicId(DbExecute exec, Optional<UUID> scope, String topicId) {
        Where where = scoped(scope, "r.topic_id = ?", topicId);
        return exec.get("SELECT " + COLUMNS + " FROM topic_request r" + where.sql, where.params).map(TopicRequestStore::request);
    }

    public List<TopicRequests.Request> list(Optional<UUID> scope, Optional<String> search, Optional<String> status, int limit,
                                            int offset) {
        Where where = filtered(scope, search, status);
        try (Stream<DbRow> rows = db.client().execute().query("SELECT " + COLUMNS + " FROM topic_request r" + where.sql
                + " ORDER BY r.seq DESC OFFSET " + offset + " ROWS FETCH FIRST " + limit + " ROWS ONLY", where.params)) {
            return rows.map(TopicRequestStore::request).toList();
        }
    }

    public long count(Optional<UUID> scope, Optional<String> search, Optional<String> status) {
        Where where = filtered(scope, search, status);
        return db.client().execute().get("SELECT COUNT(*) AS n FROM topic_request r" + where.sql, where.params)
                .map(row -> row.column("n").get(Long.class)).orElse(0L);
    }

    public List<TopicRequests.Review> reviews(UUID topicRequestId, String topicId) {
        try (Stream<DbRow> rows = db.client().execute().query("SELECT id, status, note, created_at FROM topic_review "
                + "WHERE topic_request_id = ? ORDER BY seq", topicRequestId)) {
            return rows.map(row -> new TopicRequests.Review(row.column("id").get(UUID.class), topicRequestId, topicId,
                    row.column("status").get(String.class), row.column("note").get(String.class),
                    Timestamps.column(row, "created_at"))).toList();
        }
    }

    public boolean subcategoryExists(UUID id) {
        return db.client().execute().get("SELECT 1 AS one FROM taxonomy_subcategory WHERE id = ?", id).isPresent();
    }

    private static Where filtered(Optional<UUID> scope, Optional<String> search, Optional<String> status) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        scope.ifPresent(s -> {
            conditions.add(IN_SCOPE);
            params.add(s);
        });
        search.filter(s -> !s.isEmpty()).ifPresent(s -> {
            conditions.add("LOWER(r.name) LIKE ? ESCAPE '\\'");
            params.add("%" + TaxonomyStore.likeEscape(s.toLowerCase(Locale.ROOT)) + "%");
        });
        status.ifPresent(s -> {
            conditions.add("r.status = ?");
            params.add(s);
        });
        return new Where(conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions), params.toArray());
    }

    private static Where scoped(Optional<UUID> scope, String condition, Object value) {
        return scope.map(s -> new Where(" WHERE " + condition + " AND " + IN_SCOPE, new Object[] {value, s}))
                .orElseGet(() -> new Where(" WHERE " + condition, new Object[] {value}));
    }

    private static TopicRequests.Request request(DbRow r) {
        String keywords = r.column("keywords").get(String.class);
        return new TopicRequests.Request(r.column("id").get(UUID.class), r.column("topic_id").get(String.class),
                r.column("organization_id").get(UUID.class), r.column("name").get(String.class),
                r.column("description").get(String.class), r.column("subcategory_id").get(UUID.class),
                r.column("topic_type").get(String.class),
                keywords == null || keywords.isEmpty() ? List.of() : Arrays.asList(keywords.split(",")),
                r.column("status").get(String.class), r.column("review_note").get(String.class),
                Timestamps.column(r, "reviewed_at"), Timestamps.column(r, "created_at"), Timestamps.column(r, "updated_at"));
    }

    private record Where(String sql, Object[] params) { }
}
