package io.audiences.server.taxonomy;

import java.util.List;
import java.util.Optional;

import io.audiences.api.TopicRequestsApi;
import io.audiences.model.TaxonomyCountDto;
import io.audiences.model.TaxonomyCountEnvelopeDto;
import io.audiences.model.TopicRequestDto;
import io.audiences.model.TopicRequestEnvelopeDto;
import io.audiences.model.TopicRequestListEnvelopeDto;
import io.audiences.model.TopicRequestStatusDto;
import io.audiences.model.TopicRequestWriteDto;
import io.audiences.model.TopicReviewDto;
import io.audiences.model.TopicReviewCreateRequestDto;
import io.audiences.model.TopicReviewEnvelopeDto;
import io.audiences.model.TopicReviewListEnvelopeDto;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of topic requests and reviews, in the taxonomy's {@code {response: ...}} envelopes. */
public final class TopicRequestsHandler implements TopicRequestsApi {

    private final TopicRequests requests;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public TopicRequestsHandler(TopicRequests requests, HttpIo io, IdempotentRequests posts) {
        this.requests = requests;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void listTopicRequests(ServerRequest req, ServerResponse res) {
        List<TopicRequestDto> page = requests.list(HttpIo.principal(req), search(req), status(req),
                HttpIo.queryInt(req, "limit", 1, 1000, 100), HttpIo.queryInt(req, "offset", 0, Integer.MAX_VALUE, 0))
                .stream().map(TopicRequestsHandler::dto).toList();
        HttpIo.json(res, Status.OK_200, new TopicRequestListEnvelopeDto().response(page));
    }

    @Override
    public void countTopicRequests(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TaxonomyCountEnvelopeDto().response(new TaxonomyCountDto()
                .count(requests.count(HttpIo.principal(req), search(req), status(req)))));
    }

    @Override
    public void createTopicRequest(ServerRequest req, ServerResponse res) {
        TopicRequestWriteDto body = io.body(req, TopicRequestWriteDto.class);
        posts.<TopicRequests.Request>respond(req, res, Optional.empty(), body,
                hook -> requests.create(HttpIo.principal(req), proposal(body), hook),
                created -> Reply.json(201, new TopicRequestEnvelopeDto().response(dto(created)))
                        .withLocation("/taxonomy/topic-requests/" + created.id()));
    }

    @Override
    public void getTopicRequest(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, new TopicRequestEnvelopeDto().response(dto(
                requests.get(HttpIo.principal(req), HttpIo.pathUuid(req, "topic_request_id")))));
    }

    @Override
    public void updateTopicRequest(ServerRequest req, ServerResponse res) {
        TopicRequests.Request updated = requests.replace(HttpIo.principal(req), HttpIo.pathUuid(req, "topic_request_id"),
                proposal(io.body(req, TopicRequestWriteDto.class)));
        HttpIo.json(res, Status.OK_200, new TopicRequestEnvelopeDto().response(dto(updated)));
    }

    @Override
    public void listTopicReviews(ServerRequest req, ServerResponse res) {
        List<TopicReviewDto> reviews = requests.reviews(HttpIo.principal(req), HttpIo.pathString(req, "topic_id", 64)).stream()
                .map(TopicRequestsHandler::dto).toList();
        HttpIo.json(res, Status.OK_200, new TopicReviewListEnvelopeDto().response(reviews));
    }

    @Override
    public void createTopicReview(ServerRequest req, ServerResponse res) {
        TopicReviewCreateRequestDto body = io.body(req, TopicReviewCreateRequestDto.class);
        TopicRequests.Review review = requests.review(HttpIo.principal(req), HttpIo.pathString(req, "topic_id", 64),
                body.getStatus().toString(), body.getNote());
        HttpIo.json(res, Status.CREATED_201, new TopicReviewEnvelopeDto().response(dto(review)));
    }

    private static Optional<String> search(ServerRequest req) {
        return HttpIo.queryString(req, "search", 200);
    }

    private static Optional<String> status(ServerRequest req) {
        return HttpIo.queryEnum(req, "status", TopicRequestStatusDto::fromValue).map(TopicRequestStatusDto::toString);
    }

    private static TopicRequests.Proposal proposal(TopicRequestWriteDto body) {
        return new TopicRequests.Proposal(body.getName(), body.getDescription(), body.getSubcategoryId(),
                body.getTopicType() == null ? null : body.getTopicType().toString(),
                body.getKeywords() == null ? List.of() : List.copyOf(body.getKeywords()));
    }

    private static TopicRequestDto dto(TopicRequests.Request r) {
        return new TopicRequestDto()
                .topicRequestId(r.id())
                .topicId(r.topicId())
                .organizationId(r.organizationId())
                .name(r.name())
                .description(r.description())
                .subcategoryId(r.subcategoryId())
                .topicType(r.topicType())
                .keywords(r.keywords())
                .status(TopicRequestStatusDto.fromValue(r.status()))
                .reviewNote(r.reviewNote())
                .reviewedAt(Timestamps.utc(r.reviewedAt()))
                .createdAt(Timestamps.utc(r.createdAt()))
                .updatedAt(Timestamps.utc(r.updatedAt()));
    }

    private static TopicReviewDto dto(TopicRequests.Review r) {
        return new TopicReviewDto()
                .reviewId(r.id())
                .topicRequestId(r.topicRequestId())
                .topicId(r.topicId())
                .status(TopicRequestStatusDto.fromValue(r.status()))
                .note(r.note())
                .createdAt(Timestamps.utc(r.createdAt()));
    }
}
