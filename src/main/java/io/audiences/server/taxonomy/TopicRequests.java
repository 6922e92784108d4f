package io.audiences.server.taxonomy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.audiences.server.audit.AuditLog;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.TransactionHook;

import io.helidon.dbclient.DbExecute;

/**
 * Topic requests: tenants propose topics for the shared taxonomy, reviewers accept or reject them. A tenant reads and
 * changes only its organization's requests and its descendants' (anything else is 404, so existence does not leak).
 * Reviewers are the users and apps of the configured reviewer organizations: Delivr does not say who reviews, so
 * nobody does until an operator names them.
 */
public final class TopicRequests {

    static final String ACCEPTED = "accepted";
    static final String REJECTED = "rejected";

    public record Proposal(String name, String description, UUID subcategoryId, String topicType, List<String> keywords) { }

    public record Request(UUID id, String topicId, UUID organizationId, String name, String description, UUID subcategoryId,
                          String topicType, List<String> keywords, String status, String reviewNote, Instant reviewedAt,
                          Instant createdAt, Instant updatedAt) { }

    public record Review(UUID id, UUID topicRequestId, String topicId, String status, String note, Instant createdAt) { }

    private final Database db;
    private final TopicRequestStore store;
    private final Clock clock;
    private final TaxonomyStore taxonomy;
    private final AuditLog audit;
    private final Set<UUID> reviewerOrganizations;

    public TopicRequests(Database db, TopicRequestStore store, TaxonomyStore taxonomy, AuditLog audit, Clock clock,
                         Set<UUID> reviewerOrganizations) {
        this.db = db;
        this.store = store;
        this.taxonomy = taxonomy;
        this.audit = audit;
        this.clock = clock;
        this.reviewerOrganizations = Set.copyOf(reviewerOrganizations);
    }

    /** Records a new request; {@code hook} runs in its transaction (an idempotent create records its reply there). */
    public Request create(Principal caller, Proposal proposal, TransactionHook<Request> hook) {
        requireSubcategory(proposal);
        Request request = new Request(Ids.uuid(), "req_" + Ids.hex(8), caller.organizationId(), proposal.name(),
                proposal.description(), proposal.subcategoryId(), proposal.topicType(), proposal.keywords(),
                TopicRequestStore.WAITING, null, null, clock.now(), null);
        return db.inTransaction(tx -> {
            store.insert(tx, request);
            record(tx, request, "topic_request.created", Map.of("name", request.name()));
            return hook.apply(tx, request);
        });
    }

    /** Replaces a waiting request's proposal; only its own tenant (reviewers decide, they do not edit). */
    public Request replace(Principal caller, UUID id, Proposal proposal) {
        requireSubcategory(proposal);
        Optional<UUID> scope = Optional.of(caller.organizationId());
        return db.inTransaction(tx -> {
            store.find(tx, scope, id).orElseThrow(() -> DomainException.notFound("Topic request"));
            if (!store.replace(tx, id, proposal, clock.now())) {
                throw decided();
            }
            Request replaced = store.find(tx, scope, id).orElseThrow();
            record(tx, replaced, "topic_request.updated", Map.of("name", replaced.name()));
            return replaced;
        });
    }

    public Request get(Principal caller, UUID id) {
        return store.find(readScope(caller), id)
                .orElseThrow(() -> DomainException.notFound("Topic request"));
    }

    public List<Request> list(Principal caller, Optional<String> search, Optional<String> status, int limit, int offset) {
        return store.list(readScope(caller), search, status, limit, offset);
    }

    public long count(Principal caller, Optional<String> search, Optional<String> status) {
        return store.count(readScope(caller), search, status);
    }

    public List<Review> reviews(Principal caller, String topicId) {
        Request request = store.findByTopicId(readScope(caller), topicId)
                .orElseThrow(() -> DomainException.notFound("Topic request"));
        return store.reviews(request.id(), request.topicId());
    }

    /**
     * Records a review: accepted or rejected decides a waiting request, waiting_for_approval is a note. Accepting adds
     * the topic to the catalog in the same transaction (under the request's {@code topic_id}), so it is listed and
     * usable in audience filters at once; it needs the request to name its subcategory and type.
     */
    public Review review(Principal caller, String topicId, String status, String note) {
        if (!isReviewer(caller)) {
            throw new DomainException(DomainException.Kind.FORBIDDEN, ErrorCode.REVIEWER_ONLY,
                    "Only the taxonomy reviewers (audiences.taxonomy.reviewer-organizations) review topic requests.");
        }
        return db.inTransaction(tx -> {
            Request request = store.findByTopicId(tx, Optional.empty(), topicId)
                    .orElseThrow(() -> DomainException.notFound("Topic request"));
            Instant now = clock.now();
            boolean accepting = ACCEPTED.equals(status);
            if (accepting && TopicRequestStore.WAITING.equals(request.status())
                    && (request.subcategoryId() == null || request.topicType() == null)) {
                throw DomainException.conflict(ErrorCode.TOPIC_REQUEST_INCOMPLETE, "An accepted topic needs a subcategory_id and a "
                        + "topic_type; the requester adds them with PUT /taxonomy/topic-requests/{topic_request_id}.");
            }
            boolean deciding = accepting || REJECTED.equals(status);
            if (deciding ? !store.decide(tx, request.id(), status, note, now) : !TopicRequestStore.WAITING.equals(request.status())) {
                throw decided();
            }
            if (accepting) {
                taxonomy.insertAcceptedTopic(tx, request.topicId(), Math.toIntExact(-store.seq(tx, request.id())),
                        request.subcategoryId(), request.name(), request.description(), request.keywords(),
                        request.topicType(), now);
            }
            Review review = new Review(Ids.uuid(), request.id(), request.topicId(), status, note, now);
            store.insertReview(tx, review, caller.organizationId());
            // Under the requesting organization: its change, which its own audit log shows (actor: the reviewer).
            record(tx, request, "topic_request." + (deciding ? status : "noted"), Map.of("review_id", review.id().toString()));
            return review;
        });
    }

    private void record(DbExecute tx, Request request, String action, Map<String, String> details) {
        audit.record(tx, request.organizationId(), action, "topic_request", request.id(), details);
    }

    private boolean isReviewer(Principal caller) {
        return reviewerOrganizations.contains(caller.organizationId());
    }

    private Optional<UUID> readScope(Principal caller) {
        return isReviewer(caller) ? Optional.empty() : Optional.of(caller.organizationId());
    }

    private void requireSubcategory(Proposal proposal) {
        if (proposal.subcategoryId() != null && !store.subcategoryExists(proposal.subcategoryId())) {
            throw DomainException.invalid(ErrorCode.UNKNOWN_SUBCATEGORY, "/subcategory_id", "No subcategory has this id.");
        }
    }

    private static DomainException decided() {
        return DomainException.conflict(ErrorCode.TOPIC_REQUEST_DECIDED, "The topic request was already accepted or rejected.");
    }
}
