package io.audiences.contract;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.audiences.server.webhooks.AudienceEvent;
import io.audiences.server.webhooks.EventType;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Webhooks end to end on a server that may call loopback receivers (AUDIENCES_WEBHOOKS_ALLOW_PRIVATE_TARGETS's file
 * key): events of builds and of the audience lifecycle arrive signed by the Standard Webhooks rules, a receiver's 500
 * is retried with the same webhook-id, the delivery log shows every attempt, and redelivery sends the event again.
 */
@Isolated
class WebhooksTest extends AudienceTestBase {

    private static final Map<String, Object> PERSONA = Map.of("name", "Hooked", "type", "elixir",
            "refresh_schedule", "manual", "filter", and(rule("seniority_level", "in", List.of("director"))));

    private Tenant tenant;
    private WebhookReceiver receiver;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.webhooks.allow-private-targets", "true");
        overrides.put("audiences.webhooks.poll-interval", "PT0.05S");
        overrides.put("audiences.webhooks.retry-base-delay", "PT0.2S");
        overrides.put("audiences.webhooks.timeout", "PT2S");
        overrides.put("audiences.webhooks.lease", "PT5S");
        return overrides;
    }

    @BeforeAll
    void setUp() throws Exception {
        tenant = tenant("Webhooks");
        receiver = new WebhookReceiver("/hooks");
    }

    @AfterAll
    void tearDown() {
        if (receiver != null) {
            receiver.close();
        }
    }

    private JsonPath register(String token, String url, String... events) {
        return as(token).body(Map.of("url", url, "events", List.of(events), "description", "test receiver"))
                .post("/api/v1/webhooks").then().statusCode(201)
                .header("Location", startsWith("/api/v1/webhooks/"))
                .body("secret", matchesPattern("whsec_[A-Za-z0-9+/]{43}="))
                .extract().jsonPath();
    }

    private JsonPath deliveries(String webhookId) {
        return as(tenant.token()).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void lifecycleEventsArriveSignedOncePerEvent() {
        String query = "lifecycle";
        JsonPath hook = register(tenant.token(), receiver.url() + "?lifecycle", "audience.build.completed",
                "audience.paused", "audience.resumed", "audience.deleted");
        String secret = hook.getString("secret");
        String webhookId = hook.getString("webhook_id");
        as(tenant.token()).get("/api/v1/webhooks/" + webhookId).then().statusCode(200)
                .body("url", equalTo(receiver.url() + "?lifecycle"))
                .body("events", containsInAnyOrder("audience.build.completed", "audience.paused", "audience.resumed",
                        "audience.deleted"))
                .body("secret", nullValue());

        long id = create(tenant, PERSONA);
        await(tenant, id, "Completed");
        String project = tenant.project().id().toString();
        as(tenant.token()).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);
        as(tenant.token()).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/resume").then().statusCode(200);
        as(tenant.token()).header("X-Project-Id", project).delete("/api/v1/audiences/" + id).then().statusCode(204);

        List<WebhookReceiver.Received> mine = receiver.await(r -> r.audienceId() == id && query.equals(r.query()), 4);
        // Deliveries to one endpoint are not ordered (each is claimed and retried on its own; README "Webhooks"):
        // each event exactly once, whatever the order.
        assertThat(mine.stream().map(WebhookReceiver.Received::type).toList(), containsInAnyOrder(
                "audience.build.completed", "audience.paused", "audience.resumed", "audience.deleted"));
        for (WebhookReceiver.Received r : mine) {
            assertThat("signature of " + r, WebhookReceiver.verifies(r, secret), is(true));
            assertThat(r.id(), matchesPattern("msg_[0-9a-f]{32}"));
            assertThat(Math.abs(Long.parseLong(r.timestamp()) - Instant.now().getEpochSecond()), lessThanOrEqualTo(30L));
            assertThat(r.json().get("data").get("project_id").asString(), equalTo(project));
            // Tracing is off (no exporter configured): no trace context goes out (TracingTest has it on).
            assertThat(r.traceparent(), nullValue());
            assertThat(r.tracestate(), nullValue());
        }
        WebhookReceiver.Received completed = ofType(mine, "audience.build.completed");
        assertThat("a tampered body does not verify", WebhookReceiver.verifies(new WebhookReceiver.Received(completed.query(),
                completed.id(), completed.timestamp(), completed.signature(), completed.body().replace("Completed", "Failed"),
                completed.at(), completed.traceparent(), completed.tracestate()), secret), is(false));
        assertThat(ofType(mine, "audience.build.completed").json().get("data").get("record_count").isNumber(), is(true));
        assertThat(ofType(mine, "audience.paused").json().get("data").get("pause_reason").asString(), equalTo("manual"));
        assertThat(WebhookReceiver.deduplicated(mine).size(), equalTo(4));

        JsonPath log = deliveries(webhookId);
        assertThat(log.getList("deliveries"), hasSize(4));
        assertThat(log.getList("deliveries.status"), everyItem(equalTo("succeeded")));
        assertThat(log.getList("deliveries.attempt_log.response_status.flatten()"), everyItem(equalTo(200)));
        assertThat(log.getList("deliveries.event_type"), equalTo(List.of("audience.deleted", "audience.resumed",
                "audience.paused", "audience.build.completed")));
    }

    @Test
    void aReceiverErrorIsRetriedWithTheSameIdAndLogged() {
        String query = "retry";
        JsonPath hook = register(tenant.token(), receiver.url() + "?retry", "audience.paused");
        receiver.answer(query, 500, 503);
        long id = create(tenant, PERSONA);
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);

        List<WebhookReceiver.Received> attempts = receiver.await(r -> r.audienceId() == id && query.equals(r.query()), 3);
        assertThat(attempts, hasSize(3));
        assertThat("one event id across retries", WebhookReceiver.deduplicated(attempts).size(), equalTo(1));
        assertThat("back-off: the second retry waits longer than the first",
                attempts.get(2).at().toEpochMilli() - attempts.get(1).at().toEpochMilli(),
                org.hamcrest.Matchers.greaterThan(attempts.get(1).at().toEpochMilli() - attempts.get(0).at().toEpochMilli()));
        attempts.forEach(r -> assertThat(WebhookReceiver.verifies(r, hook.getString("secret")), is(true)));

        JsonPath log = awaitStatus(hook.getString("webhook_id"), "succeeded");
        assertThat(log.getInt("deliveries[0].attempts"), equalTo(3));
        assertThat(log.getList("deliveries[0].attempt_log.response_status"), equalTo(List.of(500, 503, 200)));
        assertThat(log.getList("deliveries[0].attempt_log.error"), equalTo(java.util.Arrays.asList("http_status",
                "http_status", null)));
        assertThat(log.getString("deliveries[0].event_id"), equalTo(attempts.get(0).id()));
    }

    private JsonPath awaitStatus(String webhookId, String status) {
        Instant deadline = Instant.now().plusSeconds(15);
        JsonPath log = deliveries(webhookId);
        while (!status.equals(log.getString("deliveries[0].status")) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            log = deliveries(webhookId);
        }
        assertThat(log.prettify(), log.getString("deliveries[0].status"), equalTo(status));
        return log;
    }

    @Test
    void redeliverySendsTheSameEventAgain() {
        String query = "redeliver";
        JsonPath hook = register(tenant.token(), receiver.url() + "?redeliver", "audience.paused");
        String webhookId = hook.getString("webhook_id");
        long id = create(tenant, PERSONA);
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);
        WebhookReceiver.Received first = receiver.await(r -> r.audienceId() == id && query.equals(r.query()), 1).getFirst();
        long deliveryId = awaitStatus(webhookId, "succeeded").getLong("deliveries[0].delivery_id");

        as(tenant.token()).post("/api/v1/webhooks/" + webhookId + "/deliveries/" + deliveryId + "/redeliver")
                .then().statusCode(202).body("status", equalTo("pending")).body("event_id", equalTo(first.id()));
        List<WebhookReceiver.Received> both = receiver.await(r -> r.audienceId() == id && query.equals(r.query()), 2);
        assertThat(both.get(1).id(), equalTo(first.id()));
        assertThat(both.get(1).body(), equalTo(first.body()));
        assertThat(WebhookReceiver.verifies(both.get(1), hook.getString("secret")), is(true));
        assertThat(awaitStatus(webhookId, "succeeded").getList("deliveries[0].attempt_log"), hasSize(2));

        as(tenant.token()).post("/api/v1/webhooks/" + webhookId + "/deliveries/999999999/redeliver")
                .then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void endpointsAreListedDeletedAndInvisibleToOtherTenants() {
        Tenant other = tenant("Webhooks other");
        String query = "b";
        String first = register(tenant.token(), receiver.url() + "?a", "audience.deleted").getString("webhook_id");
        String second = register(tenant.token(), receiver.url() + "?b", "audience.deleted").getString("webhook_id");

        JsonPath page = as(tenant.token()).queryParam("limit", 1).get("/api/v1/webhooks").then().statusCode(200)
                .body("webhooks", hasSize(1)).body("next_cursor", notNullValue()).extract().jsonPath();
        List<String> all = as(tenant.token()).queryParam("limit", 200).get("/api/v1/webhooks").then().statusCode(200)
                .extract().jsonPath().getList("webhooks.webhook_id");
        assertThat(all.indexOf(first), lessThanOrEqualTo(all.indexOf(second)));
        assertThat(page.getString("webhooks[0].webhook_id"), equalTo(all.getFirst()));

        as(other.token()).get("/api/v1/webhooks/" + first).then().statusCode(404).body("code", equalTo("not_found"));
        as(other.token()).delete("/api/v1/webhooks/" + first).then().statusCode(404);
        as(other.token()).get("/api/v1/webhooks/" + first + "/deliveries").then().statusCode(404);
        as(other.token()).post("/api/v1/webhooks/" + first + "/deliveries/1/redeliver").then().statusCode(404);
        assertThat(as(other.token()).get("/api/v1/webhooks").then().statusCode(200).extract().jsonPath()
                .getList("webhooks.webhook_id"), not(org.hamcrest.Matchers.hasItem(first)));

        as(tenant.token()).delete("/api/v1/webhooks/" + first).then().statusCode(204);
        as(tenant.token()).get("/api/v1/webhooks/" + first).then().statusCode(404);
        as(tenant.token()).delete("/api/v1/webhooks/" + first).then().statusCode(404);

        // A deleted endpoint gets nothing more.
        long id = create(tenant, PERSONA);
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString()).delete("/api/v1/audiences/" + id)
                .then().statusCode(204);
        receiver.await(r -> r.audienceId() == id && query.equals(r.query()), 1);
        assertThat(receiver.received().stream().filter(r -> r.audienceId() == id && "a".equals(r.query())).count(),
                equalTo(0L));
    }

    @Test
    void anEventIsSentOnlyIfItsTransactionCommits() {
        String query = "outbox";
        String webhookId = register(tenant.token(), receiver.url() + "?outbox", "audience.paused").getString("webhook_id");
        AudienceEvent rolledBack = AudienceEvent.lifecycle(EventType.PAUSED, tenant.organization().id(),
                tenant.project().id(), 900_001, "Completed", "manual");
        assertThrows(IllegalStateException.class, () -> app.database().inTransaction(tx -> {
            app.outbox().publish(tx, rolledBack);
            throw new IllegalStateException("the change fails after publishing");
        }));
        AudienceEvent committed = AudienceEvent.lifecycle(EventType.PAUSED, tenant.organization().id(),
                tenant.project().id(), 900_002, "Completed", "manual");
        app.database().inTransaction(tx -> {
            app.outbox().publish(tx, committed);
            return null;
        });
        receiver.await(r -> r.audienceId() == 900_002 && query.equals(r.query()), 1);
        assertThat(awaitStatus(webhookId, "succeeded").getList("deliveries"), hasSize(1));
        assertThat(receiver.received().stream().filter(r -> r.audienceId() == 900_001).count(), equalTo(0L));
    }

    /** The one delivery of this event type (deliveries arrive in any order). */
    private static WebhookReceiver.Received ofType(List<WebhookReceiver.Received> received, String type) {
        return received.stream().filter(r -> type.equals(r.type())).findFirst().orElseThrow();
    }

    @Test
    void secretsAreNotStoredInPlaintext() {
        JsonPath hook = register(tenant.token(), receiver.url() + "?secret", "audience.deleted");
        String secret = hook.getString("secret");
        byte[] sealed = app.database().client().execute().get("SELECT secret_sealed FROM webhook_endpoint WHERE id = ?",
                java.util.UUID.fromString(hook.getString("webhook_id"))).orElseThrow().column("secret_sealed").get(byte[].class);
        String stored = new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(stored.contains(secret.substring(6)), is(false));
        assertThat(stored.contains(new String(java.util.Base64.getDecoder().decode(secret.substring(6)),
                java.nio.charset.StandardCharsets.ISO_8859_1)), is(false));
    }
}
