package io.audiences.server.taxonomy;

import java.util.Optional;

import io.audiences.api.TaxonomyService;
import io.audiences.model.TaxonomyCategory;
import io.audiences.model.TaxonomyCategoryEnvelope;
import io.audiences.model.TaxonomyCategoryListEnvelope;
import io.audiences.model.TaxonomyCount;
import io.audiences.model.TaxonomyCountEnvelope;
import io.audiences.model.TaxonomyStatus;
import io.audiences.model.TaxonomySubcategory;
import io.audiences.model.TaxonomySubcategoryEnvelope;
import io.audiences.model.TaxonomySubcategoryListEnvelope;
import io.audiences.model.TaxonomyTopic;
import io.audiences.model.TaxonomyTopicEnvelope;
import io.audiences.model.TaxonomyTopicListEnvelope;
import io.audiences.model.TopicType;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of the taxonomy: parameters in, {@code {response: ...}} envelopes out. */
public final class TaxonomyHandler implements TaxonomyService {


    private final io.audiences.server.taxonomy.TaxonomyService taxonomy;

    public TaxonomyHandler(io.audiences.server.taxonomy.TaxonomyService taxonomy) {
        this.taxonomy = taxonomy;
    }

    @Override
    public void listTaxonomyCategories(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCategoryListEnvelope().response(
                taxonomy.categories(filter(req, false, false, false), limit(req), offset(req)).stream()
                        .map(c -> category(c, false)).toList()));
    }

    @Override
    public void countTaxonomyCategories(ServerRequest req, ServerResponse res) {
        count(res, taxonomy.countCategories(filter(req, false, false, false)));
    }

    @Override
    public void getTaxonomyCategory(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCategoryEnvelope().response(
                category(taxonomy.category(HttpIo.pathUuid(req, "category_id")), true)));
    }

    @Override
    public void listTaxonomySubcategories(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomySubcategoryListEnvelope().response(
                taxonomy.subcategories(filter(req, true, false, false), limit(req), offset(req)).stream()
                        .map(s -> subcategory(s, false)).toList()));
    }

    @Override
    public void countTaxonomySubcategories(ServerRequest req, ServerResponse res) {
        count(res, taxonomy.countSubcategories(filter(req, true, false, false)));
    }

    @Override
    public void getTaxonomySubcategory(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomySubcategoryEnvelope().response(
                subcategory(taxonomy.subcategory(HttpIo.pathUuid(req, "subcategory_id")), true)));
    }

    @Override
    public void listTaxonomyTopics(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyTopicListEnvelope().response(
                taxonomy.topics(filter(req, true, true, true), limit(req), offset(req)).stream()
                        .map(t -> topic(t, false)).toList()));
    }

    @Override
    public void countTaxonomyTopics(ServerRequest req, ServerResponse res) {
        count(res, taxonomy.countTopics(filter(req, true, true, true)));
    }

    @Override
    public void getTaxonomyTopic(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyTopicEnvelope().response(
                topic(taxonomy.topic(HttpIo.pathString(req, "topic_id", 64)), true)));
    }

    private static Taxonomy.Filter filter(ServerRequest req, boolean byCategory, boolean bySubcategory, boolean byType) {
        return new Taxonomy.Filter(
                HttpIo.queryString(req, "search", 200),
                HttpIo.queryEnum(req, "status", TaxonomyStatus::fromValue).map(TaxonomyStatus::toString),
                byCategory ? HttpIo.queryUuid(req, "category_id") : Optional.empty(),
                bySubcategory ? HttpIo.queryUuid(req, "subcategory_id") : Optional.empty(),
                byType ? HttpIo.queryEnum(req, "topic_type", TopicType::fromValue).map(TopicType::toString) : Optional.empty());
    }

    private static int limit(ServerRequest req) {
        return HttpIo.queryInt(req, "limit", 1, 1000, 100);
    }

    private static int offset(ServerRequest req) {
        return HttpIo.queryInt(req, "offset", 0, Integer.MAX_VALUE, 0);
    }

    private static void count(ServerResponse res, long n) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCountEnvelope().response(new TaxonomyCount().count(n)));
    }

    private static TaxonomyCategory category(Taxonomy.Category c, boolean detail) {
        return new TaxonomyCategory()
                .categoryId(c.id())
                .name(c.name())
                .description(detail ? nonNull(c.description()) : null)
                .status(TaxonomyStatus.fromValue(c.status()))
                .createdAt(Timestamps.utc(c.createdAt()))
                .updatedAt(Timestamps.utc(c.updatedAt()));
    }

    private static TaxonomySubcategory subcategory(Taxonomy.Subcategory s, boolean detail) {
        return new TaxonomySubcategory()
                .subcategoryId(s.id())
                .categoryId(s.categoryId())
                .categoryName(s.categoryName())
                .name(s.name())
                .description(detail ? nonNull(s.description()) : null)
                .status(TaxonomyStatus.fromValue(s.status()))
                .createdAt(Timestamps.utc(s.createdAt()))
                .updatedAt(Timestamps.utc(s.updatedAt()));
    }

    private static TaxonomyTopic topic(Taxonomy.Topic t, boolean detail) {
        return new TaxonomyTopic()
                .topicId(t.id())
                .categoryId(t.categoryId())
                .categoryName(t.categoryName())
                .subcategoryId(t.subcategoryId())
                .subcategoryName(t.subcategoryName())
                .name(t.name())
                .description(detail ? nonNull(t.description()) : null)
                .keywords(detail ? t.keywords() : null)
                .status(TaxonomyStatus.fromValue(t.status()))
                .topicType(TopicType.fromValue(t.topicType()))
                .createdAt(Timestamps.utc(t.createdAt()))
                .updatedAt(Timestamps.utc(t.updatedAt()));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
