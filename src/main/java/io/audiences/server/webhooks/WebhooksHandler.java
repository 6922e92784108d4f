package io.audiences.server.webhooks;

import java.util.List;
import java.util.Optional;

import io.audiences.api.WebhooksApi;
import io.audiences.model.WebhookDto;
import io.audiences.model.WebhookAttemptDto;
import io.audiences.model.WebhookCreateRequestDto;
import io.audiences.model.WebhookCreatedDto;
import io.audiences.model.WebhookDeliveryDto;
import io.audiences.model.WebhookDeliveryListDto;
import io.audiences.model.WebhookDeliveryStatusDto;
import io.audiences.model.WebhookEventTypeDto;
import io.audiences.model.WebhookListDto;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of webhook endpoints and their delivery log. */
public final class WebhooksHandler implements WebhooksApi {

    private final WebhookService webhooks;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public WebhooksHandler(WebhookService webhooks, HttpIo io, IdempotentRequests posts) {
        this.webhooks = webhooks;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createWebhook(ServerRequest req, ServerResponse res) {
        WebhookCreateRequestDto body = io.body(req, WebhookCreateRequestDto.class);
        List<EventType> events = body.getEvents().stream().map(e -> EventType.of(e.toString()).orElseThrow()).toList();
        posts.respond(req, res, Optional.empty(), body, hook -> webhooks.create(HttpIo.principal(req), body.getUrl().toString(),
                events, Optional.ofNullable(body.getDescription()), hook), WebhooksHandler::created);
    }

    private static Reply created(WebhookService.NewEndpoint created) {
        WebhookStore.Endpoint e = created.endpoint();
        return Reply.json(201, new WebhookCreatedDto()
                .webhookId(e.id())
                .organizationId(e.organizationId())
                .url(e.url())
                .events(events(e))
                .description(e.description())
                .createdAt(Timestamps.utc(e.createdAt()))
                .secret(created.secret())).withLocation("/api/v1/webhooks/" + e.id());
    }

    @Override
    public void listWebhooks(ServerRequest req, ServerResponse res) {
        int limit = HttpIo.queryInt(req, "limit", 1, 200, 50);
        Optional<String> cursor = HttpIo.queryString(req, "cursor", 200);
        Page<WebhookStore.Endpoint> page = webhooks.list(HttpIo.principal(req), cursor, limit);
        HttpIo.json(res, Status.OK_200, new WebhookListDto().webhooks(page.items().stream().map(WebhooksHandler::dto).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    @Override
    public void getWebhook(ServerRequest req, ServerResponse res) {
        WebhookStore.Endpoint endpoint = webhooks.get(HttpIo.principal(req), HttpIo.pathUuid(req, "webhook_id"));
        res.header(HeaderNames.ETAG, endpoint.etag());
        HttpIo.json(res, Status.OK_200, dto(endpoint));
    }

    @Override
    public void deleteWebhook(ServerRequest req, ServerResponse res) {
        webhooks.delete(HttpIo.principal(req), HttpIo.pathUuid(req, "webhook_id"), Preconditions.ifMatch(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void listWebhookDeliveries(ServerRequest req, ServerResponse res) {
        var id = HttpIo.pathUuid(req, "webhook_id");
        int limit = HttpIo.queryInt(req, "limit", 1, 200, 50);
        Optional<String> cursor = HttpIo.queryString(req, "cursor", 200);
        Page<WebhookStore.Delivery> page = webhooks.deliveries(HttpIo.principal(req), id, cursor, limit);
        HttpIo.json(res, Status.OK_200, new WebhookDeliveryListDto()
                .deliveries(page.items().stream().map(WebhooksHandler::delivery).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    @Override
    public void redeliverWebhookDelivery(ServerRequest req, ServerResponse res) {
        var id = HttpIo.pathUuid(req, "webhook_id");
        long deliveryId = HttpIo.pathLong(req, "delivery_id", 1);
        HttpIo.json(res, Status.ACCEPTED_202, delivery(webhooks.redeliver(HttpIo.principal(req), id, deliveryId)));
    }

    private static WebhookDto dto(WebhookStore.Endpoint e) {
        return new WebhookDto()
                .webhookId(e.id())
                .organizationId(e.organizationId())
                .url(e.url())
                .events(events(e))
                .description(e.description())
                .createdAt(Timestamps.utc(e.createdAt()));
    }

    private static List<WebhookEventTypeDto> events(WebhookStore.Endpoint e) {
        return e.events().stream().map(t -> WebhookEventTypeDto.fromValue(t.wireName())).toList();
    }

    private static WebhookDeliveryDto delivery(WebhookStore.Delivery d) {
        return new WebhookDeliveryDto()
                .deliveryId(d.id())
                .webhookId(d.endpointId())
                .eventId(d.eventId())
                .eventType(WebhookEventTypeDto.fromValue(d.eventType().wireName()))
                .status(WebhookDeliveryStatusDto.fromValue(d.status()))
                .attempts(d.attempts())
                .nextAttemptAt(Timestamps.utc(d.nextAttemptAt()))
                .createdAt(Timestamps.utc(d.createdAt()))
                .attemptLog(d.log().stream().map(a -> new WebhookAttemptDto()
                        .attempt(a.attempt())
                        .attemptedAt(Timestamps.utc(a.attemptedAt()))
                        .responseStatus(a.responseStatus())
                        .error(a.error())
                        .durationMs(a.durationMs())).toList());
    }
}
