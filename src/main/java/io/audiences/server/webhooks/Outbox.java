package io.audiences.server.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.audiences.model.PauseReasonDto;
import io.audiences.model.WebhookEventDto;
import io.audiences.model.WebhookEventDataDto;
import io.audiences.model.WebhookEventTypeDto;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.tracing.Tracing;

import io.helidon.dbclient.DbExecute;

/**
 * The transactional outbox: a change that emits an event calls {@link #publish} inside its own transaction, which
 * writes the event and one pending delivery per subscribed endpoint. They commit or roll back with the change, so
 * an event is never lost after a crash nor sent for a change that did not happen; the {@link Dispatcher} sends them.
 * Endpoints of the audience's organization and of every ancestor subscribe (a parent sees its descendants' events).
 */
public final class Outbox {

    private final WebhookStore store;
    private final Clock clock;
    private final Tracing tracing;

    public Outbox(WebhookStore store, Clock clock, Tracing tracing) {
        this.store = store;
        this.clock = clock;
        this.tracing = tracing;
    }

    /**
     * Records {@code event} for delivery, in the caller's transaction; nothing when no endpoint subscribed. The current
     * span (the build's or the request's that made the change) is stored with it: its deliveries are that span's children.
     */
    public void publish(DbExecute tx, AudienceEvent event) {
        List<UUID> endpoints = store.subscribers(tx, event.organizationId(), event.type());
        if (endpoints.isEmpty()) {
            return;
        }
        Instant now = clock.now();
        String id = "msg_" + Ids.hex(16);
        store.insertEvent(tx, id, event.organizationId(), event.type(), payload(event, now), now, tracing.current());
        for (UUID endpoint : endpoints) {
            store.insertDelivery(tx, id, endpoint, now);
        }
    }

    /** The Standard Webhooks payload: type, timestamp and data, as the contract's WebhookEvent declares it. */
    private static String payload(AudienceEvent e, Instant now) {
        WebhookEventDataDto data = new WebhookEventDataDto()
                .audienceId(e.audienceId())
                .organizationId(e.organizationId())
                .projectId(e.projectId())
                .status(e.status())
                .buildId(e.buildId())
                .recordCount(e.recordCount())
                .distinctProfileCount(e.profileCount())
                .error(e.error())
                .pauseReason(e.pauseReason() == null ? null : PauseReasonDto.fromValue(e.pauseReason()));
        return Json.JSONB.toJson(new WebhookEventDto().type(WebhookEventTypeDto.fromValue(e.type().wireName()))
                .timestamp(Timestamps.utc(now)).data(data));
    }
}
