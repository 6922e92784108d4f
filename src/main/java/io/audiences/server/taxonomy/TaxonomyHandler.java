package io.audiences.server.taxonomy;

import java.util.Optional;

import io.audiences.api.TaxonomyApi;
import io.audiences.model.TaxonomyCategoryDto;
import io.audiences.model.TaxonomyCategoryEnvelopeDto;
import io.audiences.model.TaxonomyCategoryListEnvelopeDto;
import io.audiences.model.TaxonomyCountDto;
import io.audiences.model.TaxonomyCountEnvelopeDto;
import io.audiences.model.TaxonomyStatusDto;
import io.audiences.model.TaxonomySubcategoryDto;
import io.audiences.model.TaxonomySubcategoryEnvelopeDto;
import io.audiences.model.TaxonomySubcategoryListEnvelopeDto;
import io.audiences.model.TaxonomyTopicDto;
import io.audiences.model.TaxonomyTopicEnvelopeDto;
import io.audiences.model.TaxonomyTopicListEnvelopeDto;
import io.audiences.model.TopicTypeDto;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of the taxonomy: parameters in, {@code {response: ...}} envelopes out. */
public final class TaxonomyHandler implements TaxonomyApi {


    private final TaxonomyService taxonomy;

    public TaxonomyHandler(TaxonomyService taxonomy) {
        this.taxonomy = taxonomy;
    }

    @Override
    public void listTaxonomyCategories(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCategoryListEnvelopeDto().response(
                taxonomy.categories(filter(req, false, false, false), limit(req), offset(req)).stream()
                        .map(c -> category(c, false)).toList()));
    }

    @Override
    public void countTaxonomyCategories(ServerRequest req, ServerResponse res) {
        count(res, taxonomy.countCategories(filter(req, false, false, false)));
    }

    @Override
    public void getTaxonomyCategory(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCategoryEnvelopeDto().response(
                category(taxonomy.category(HttpIo.pathUuid(req, "category_id")), true)));
    }

    @Override
    public void listTaxonomySubcategories(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomySubcategoryListEnvelopeDto().response(
                taxonomy.subcategories(filter(req, true, false, false), limit(req), offset(req)).stream()
                        .map(s -> subcategory(s, false)).toList()));
    }

    @Override
    public void countTaxonomySubcategories(ServerRequest req, ServerResponse res) {
        count(res, taxonomy.countSubcategories(filter(req, true, false, false)));
    }

    @Override
    public void getTaxonomySubcategory(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomySubcategoryEnvelopeDto().response(
                subcategory(taxonomy.subcategory(HttpIo.pathUuid(req, "subcategory_id")), true)));
    }

    @Override
    public void listTaxonomyTopics(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyTopicListEnvelopeDto().response(
                taxonomy.topics(filter(req, true, true, true), limit(req), offset(req)).stream()
                        .map(t -> topic(t, false)).toList()));
    }

    @Override
    public void countTaxonomyTopics(ServerRequest req, ServerResponse res) {
        count(res, taxonomy.countTopics(filter(req, true, true, true)));
    }

    @Override
    public void getTaxonomyTopic(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyTopicEnvelopeDto().response(
                topic(taxonomy.topic(HttpIo.pathString(req, "topic_id", 64)), true)));
    }

    private static Taxonomy.Filter filter(ServerRequest req, boolean byCategory, boolean bySubcategory, boolean byType) {
        return new Taxonomy.Filter(
                HttpIo.queryString(req, "search", 200),
                HttpIo.queryEnum(req, "status", TaxonomyStatusDto::fromValue).map(TaxonomyStatusDto::toString),
                byCategory ? HttpIo.queryUuid(req, "category_id") : Optional.empty(),
                bySubcategory ? HttpIo.queryUuid(req, "subcategory_id") : Optional.empty(),
                byType ? HttpIo.queryEnum(req, "topic_type", TopicTypeDto::fromValue).map(TopicTypeDto::toString)
                        : Optional.empty());
    }

    private static int limit(ServerRequest req) {
        return HttpIo.queryInt(req, "limit", 1, 1000, 100);
    }

    private static int offset(ServerRequest req) {
        return HttpIo.queryInt(req, "offset", 0, Integer.MAX_VALUE, 0);
    }

    private static void count(ServerResponse res, long n) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCountEnvelopeDto().response(new TaxonomyCountDto().count(n)));
    }

    private static TaxonomyCategoryDto category(Taxonomy.Category c, boolean detail) {
        return new TaxonomyCategoryDto()
                .categoryId(c.id())
                .name(c.name())
                .description(detail ? nonNull(c.description()) : null)
                .status(TaxonomyStatusDto.fromValue(c.status()))
                .createdAt(Timestamps.utc(c.createdAt()))
                .updatedAt(Timestamps.utc(c.updatedAt()));
    }

    private static TaxonomySubcategoryDto subcategory(Taxonomy.Subcategory s, boolean detail) {
        return new TaxonomySubcategoryDto()
                .subcategoryId(s.id())
                .categoryId(s.categoryId())
                .categoryName(s.categoryName())
                .name(s.name())
                .description(detail ? nonNull(s.description()) : null)
                .status(TaxonomyStatusDto.fromValue(s.status()))
                .createdAt(Timestamps.utc(s.createdAt()))
                .updatedAt(Timestamps.utc(s.updatedAt()));
    }

    private static TaxonomyTopicDto topic(Taxonomy.Topic t, boolean detail) {
        return new TaxonomyTopicDto()
                .topicId(t.id())
                .categoryId(t.categoryId())
                .categoryName(t.categoryName())
                .subcategoryId(t.subcategoryId())
                .subcategoryName(t.subcategoryName())
                .name(t.name())
                .description(detail ? nonNull(t.description()) : null)
                .keywords(detail ? t.keywords() : null)
                .status(TaxonomyStatusDto.fromValue(t.status()))
                .topicType(TopicTypeDto.fromValue(t.topicType()))
                .createdAt(Timestamps.utc(t.createdAt()))
                .updatedAt(Timestamps.utc(t.updatedAt()));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
