package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.audiences.server.platform.Clock;
import io.audiences.server.webhooks.AudienceEvent;
import io.audiences.server.webhooks.EventType;

import io.helidon.dbclient.DbRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;

/**
 * A receiver that keeps failing is retried for 24 hours, not less: 23 hours after the event the delivery is still
 * pending and retried; once 24 hours have passed, the next failure ends it as {@code failed}. The server's clock is
 * moved instead of waiting (retry delays of one second here).
 */
class WebhookRetryWindowTest extends AudienceTestBase {

    private final MovableClock clock = new MovableClock();
    private WebhookReceiver receiver;

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.webhooks.allow-private-targets", "true");
        overrides.put("audiences.webhooks.poll-interval", "PT0.05S");
        overrides.put("audiences.webhooks.retry-base-delay", "PT0.5S");
        overrides.put("audiences.webhooks.retry-max-delay", "PT0.5S");
        return overrides;
    }

    @AfterAll
    void closeReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void aFailingReceiverIsRetriedForTwentyFourHours() throws Exception {
        receiver = new WebhookReceiver("/hooks");
        receiver.answer("down", Collections.nCopies(10_000, 500).toArray(Integer[]::new));
        Tenant tenant = tenant("Retry window");
        as(tenant.token()).body(Map.of("url", receiver.url() + "?down", "events", List.of("audience.deleted")))
                .post("/api/v1/webhooks").then().statusCode(201);
        app.database().inTransaction(tx -> {
            app.outbox().publish(tx, AudienceEvent.lifecycle(EventType.DELETED, tenant.organization().id(),
                    tenant.project().id(), 7, "deleted", null));
            return null;
        });

        receiver.await(r -> true, 2);
        assertThat(delivery().column("status").get(String.class), equalTo("pending"));

        clock.advance(Duration.ofHours(23));
        int before = receiver.received().size();
        receiver.await(r -> true, before + 2);
        // The receiver sees an attempt before the dispatcher records it: the clock moves on only once it is recorded,
        // or the attempt would be recorded as made after the window and end the delivery one attempt early.
        awaitRecorded(before + 2);
        assertThat("23 h after the event it is still retried", delivery().column("status").get(String.class),
                equalTo("pending"));

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        Instant deadline = Instant.now().plusSeconds(15);
        while (!"failed".equals(delivery().column("status").get(String.class)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        DbRow ended = delivery();
        assertThat(ended.column("status").get(String.class), equalTo("failed"));
        assertThat(ended.column("next_attempt_at").get(Object.class), nullValue());
        assertThat(ended.column("attempts").get(Integer.class), greaterThan(4));
        int received = receiver.received().size();
        Thread.sleep(1_500);
        assertThat("no attempt after it failed", receiver.received().size(), equalTo(received));
        assertThat("every attempt logged", ended.column("attempts").get(Integer.class), equalTo(received));
    }

    private void awaitRecorded(int attempts) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (delivery().column("attempts").get(Integer.class) < attempts && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
    }

    private DbRow delivery() {
        return app.database().client().execute().get("SELECT status, next_attempt_at, attempts FROM webhook_delivery")
                .orElseThrow();
    }
}
