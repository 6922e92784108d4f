package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.audiences.server.upstream.SyntheticData;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The Done-when test of webhooks: events committed with their changes survive a SIGKILL of the packaged server
 * between commit and delivery. The receiver holds the first requests unanswered (deliveries in flight) while more
 * events wait in the outbox; the server is killed and restarted, and every event then arrives, each under exactly
 * one webhook-id, signed; the one in flight at the kill arrives again under the same id (at least once, deduplicated
 * by the receiver), and nothing else arrives.
 */
@Isolated
class WebhookKillTest {

    private static final Map<String, Object> FILTER = Map.of("condition", "and", "rules", List.of(Map.of(
            "fieldName", "seniority_level", "conditionRules", Map.of("operator", "in", "value", List.of("director")))));

    @Test
    void everyCommittedEventIsDeliveredUnderOneIdAcrossSigkill() throws Exception {
        try (PackagedServer server = PackagedServer.create("webhook-kill");
             WebhookReceiver receiver = new WebhookReceiver("/hooks")) {
            PackagedServer.Tenant tenant = server.prepare(new SyntheticData(new SyntheticData.Spec(3, 200, 2,
                    LocalDate.now(ZoneOffset.UTC), 500, 20)), "Hooked");
            start(server);
            String token = given(server).body(Map.of("email", tenant.email(), "password", tenant.password()))
                    .post("/auth/v1/login").then().statusCode(200).extract().path("token");
            String secret = asUser(server, token).body(Map.of("url", receiver.url(), "events", List.of(
                            "audience.build.completed", "audience.paused", "audience.resumed", "audience.deleted")))
                    .post("/api/v1/webhooks").then().statusCode(201).extract().path("secret");

            receiver.hold();
            // Every 2xx below committed its events; what each audience must produce.
            Set<String> expected = new HashSet<>();
            String project = tenant.project().id().toString();
            List<Long> audiences = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long id = ((Number) asUser(server, token).header("X-Project-Id", project)
                        .body(Map.of("name", "Hooked " + i, "type", "elixir", "refresh_schedule", "manual", "filter", FILTER))
                        .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();
                audiences.add(id);
            }
            for (long id : audiences) {
                awaitCompleted(server, token, project, id);
                expected.add("audience.build.completed " + id);
            }
            transition(server, token, project, audiences.get(0), "pause");
            expected.add("audience.paused " + audiences.get(0));
            transition(server, token, project, audiences.get(1), "pause");
            expected.add("audience.paused " + audiences.get(1));
            transition(server, token, project, audiences.get(1), "resume");
            expected.add("audience.resumed " + audiences.get(1));
            asUser(server, token).header("X-Project-Id", project).delete("/api/v1/audiences/" + audiences.get(2))
                    .then().statusCode(204);
            expected.add("audience.deleted " + audiences.get(2));

            // At least one delivery is in flight (received, unanswered) when the server dies.
            receiver.await(r -> true, 1);
            int inFlightAtKill = receiver.received().size();
            server.kill();
            receiver.open();
            start(server);

            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            // Until every event arrived and the one in flight at the kill came again (once its lease ran out).
            while ((keys(WebhookReceiver.deduplicated(receiver.received()).values()).size() < expected.size()
                    || receiver.received().size() <= WebhookReceiver.deduplicated(receiver.received()).size())
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            Thread.sleep(1_000); // anything sent twice by mistake would arrive meanwhile
            List<WebhookReceiver.Received> all = receiver.received();
            Map<String, WebhookReceiver.Received> unique = WebhookReceiver.deduplicated(all);
            Map<String, Set<String>> idsPerEvent = all.stream().collect(Collectors.groupingBy(WebhookKillTest::key,
                    Collectors.mapping(WebhookReceiver.Received::id, Collectors.toSet())));

            assertThat("every committed event arrived, and nothing else", idsPerEvent.keySet(), equalTo(expected));
            assertThat("each event under exactly one webhook-id: " + idsPerEvent,
                    idsPerEvent.values().stream().map(Set::size).toList(), everyItem(equalTo(1)));
            assertThat(unique.size(), equalTo(expected.size()));
            assertThat("every request verifies", all.stream().filter(r -> !WebhookReceiver.verifies(r, secret)).toList(),
                    is(empty()));
            assertThat("the delivery in flight at the kill was sent again under its id", all.size(), greaterThan(unique.size()));
            assertThat("some events were still only in the outbox at the kill", inFlightAtKill, lessThan(expected.size()));
            System.out.printf("[webhook-kill %s] %d events, %d requests (%d in flight at the kill), %d distinct ids%n",
                    TestDatabase.engine(), expected.size(), all.size(), inFlightAtKill, unique.size());
        }
    }

    private static Set<String> keys(java.util.Collection<WebhookReceiver.Received> received) {
        return received.stream().map(WebhookKillTest::key).collect(Collectors.toSet());
    }

    private static String key(WebhookReceiver.Received r) {
        return r.type() + " " + r.audienceId();
    }

    private static void start(PackagedServer server) throws Exception {
        server.start(Map.of("AUDIENCES_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Daudiences.builds.poll-interval=PT0.05S", "-Daudiences.webhooks.poll-interval=PT0.05S",
                "-Daudiences.webhooks.timeout=PT5S", "-Daudiences.webhooks.lease=PT6S",
                "-Daudiences.webhooks.retry-base-delay=PT0.2S",
                // Two at a time: at the kill, two deliveries are in flight and the other events wait in the outbox.
                "-Daudiences.webhooks.batch=2");
    }

    private static void awaitCompleted(PackagedServer server, String token, String project, long id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            String status = asUser(server, token).queryParam("project_id", project).get("/api/v1/audiences/" + id)
                    .then().statusCode(200).extract().path("status");
            if ("Completed".equals(status)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("audience " + id + " did not complete");
    }

    private static void transition(PackagedServer server, String token, String project, long id, String verb) {
        asUser(server, token).header("X-Project-Id", project).post("/api/v1/audiences/" + id + "/" + verb)
                .then().statusCode(200);
    }

    private static RequestSpecification given(PackagedServer server) {
        return ServerTestBase.validated(server.port()).contentType(ContentType.JSON);
    }

    private static RequestSpecification asUser(PackagedServer server, String token) {
        return given(server).header("Authorization", "Bearer " + token);
    }
}
