package io.audiences.server.webhooks;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.TransactionHook;

/**
 * Webhook endpoints of an organization and their delivery log. An endpoint is visible to its organization and
 * that organization's ancestors, like every resource; anything else is 404.
 */
public final class WebhookService {

    private final Database db;
    private final WebhookStore store;
    private final SecretSeal seal;
    private final TargetGuard guard;
    private final Clock clock;

    public WebhookService(Database db, WebhookStore store, SecretSeal seal, TargetGuard guard,
                          Clock clock) {
        this.db = db;
        this.store = store;
        this.seal = seal;
        this.guard = guard;
        this.clock = clock;
    }

    /** A new endpoint; the plaintext secret exists only in this object. */
    public record NewEndpoint(WebhookStore.Endpoint endpoint, String secret) { }

    public NewEndpoint create(Principal caller, String url, List<EventType> events, Optional<String> description,
                              TransactionHook<NewEndpoint> hook) {
        URI target = TargetGuard.parse(url);
        guard.checkRegistration(target);
        List<EventType> subscribed = List.copyOf(new LinkedHashSet<>(events));
        UUID id = Ids.uuid();
        String secret = Signature.newSecret();
        Instant now = clock.now();
        return db.inTransaction(tx -> {
            store.insertEndpoint(tx, id, caller.organizationId(), url, subscribed, description.orElse(null),
                    seal.seal(id, secret), now);
            return hook.apply(tx, new NewEndpoint(store.findEndpoint(tx, caller.organizationId(), id).orElseThrow(), secret));
        });
    }

    public WebhookStore.Endpoint get(Principal caller, UUID id) {
        return store.findEndpoint(db.client().execute(), caller.organizationId(), id)
                .orElseThrow(() -> DomainException.notFound("Webhook"));
    }

    public Page<WebhookStore.Endpoint> list(Principal caller, Optional<String> cursor, int limit) {
        return Page.of(store.listEndpoints(caller.organizationId(), Page.after(cursor), limit + 1), limit,
                WebhookStore.Endpoint::seq);
    }

    /** Deletes an endpoint; with {@code ifMatch}, only if it names the endpoint (412 {@code precondition_failed} otherwise). */
    public void delete(Principal caller, UUID id, Optional<String> ifMatch) {
        db.inTransaction(tx -> {
            WebhookStore.Endpoint endpoint = store.findEndpoint(tx, caller.organizationId(), id)
                    .orElseThrow(() -> DomainException.notFound("Webhook"));
            Preconditions.require(ifMatch, endpoint.etag(), "webhook");
            store.deleteEndpoint(tx, id, clock.now());
            return null;
        });
    }

    /** The delivery log, newest first. */
    public Page<WebhookStore.Delivery> deliveries(Principal caller, UUID endpointId, Optional<String> cursor, int limit) {
        get(caller, endpointId);
        long before = cursor.isPresent() ? Page.after(cursor) : Long.MAX_VALUE;
        return Page.of(store.deliveries(endpointId, before, limit + 1), limit, WebhookStore.Delivery::id);
    }

    /** Queues a delivery for an immediate attempt, with the same event id and body, and a fresh retry window. */
    public WebhookStore.Delivery redeliver(Principal caller, UUID endpointId, long deliveryId) {
        get(caller, endpointId);
        return db.inTransaction(tx -> {
            if (!store.redeliver(tx, endpointId, deliveryId, clock.now())) {
                throw DomainException.notFound("Delivery");
            }
            return store.delivery(tx, endpointId, deliveryId).orElseThrow();
        });
    }
}
