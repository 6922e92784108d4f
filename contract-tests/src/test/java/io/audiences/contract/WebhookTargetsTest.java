package io.audiences.contract;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.audiences.server.auth.SigningKey;
import io.audiences.server.webhooks.EventType;
import io.audiences.server.webhooks.SecretSeal;
import io.audiences.server.webhooks.WebhookStore;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * SSRF: with the default configuration, webhooks never reach loopback, private, link-local or unique-local
 * addresses: a registration naming one is refused with 400 {@code webhook_target_forbidden}, and an endpoint that
 * points at one by the time of delivery (DNS changed since it was registered) gets no request; its attempt fails.
 */
class WebhookTargetsTest extends AudienceTestBase {

    private Tenant tenant;
    private WebhookReceiver receiver;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.webhooks.poll-interval", "PT0.05S");
        return overrides;
    }

    @BeforeAll
    void setUp() throws Exception {
        tenant = tenant("Webhook targets");
        receiver = new WebhookReceiver("/hooks");
    }

    @AfterAll
    void tearDown() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hooks", "http://localhost/hooks", "https://[::1]/hooks",
            "http://10.1.2.3/hooks", "http://192.168.0.10/", "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data",
            "http://[fd00::1]/", "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/",
            "http://2130706433/"})
    void registeringANonPublicTargetIs400(String url) {
        as(tenant.token()).body(Map.of("url", url, "events", List.of("audience.paused")))
                .post("/api/v1/webhooks").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("webhook_target_forbidden"))
                .body("errors[0].pointer", equalTo("/url"));
        assertThat(app.database().client().execute().get("SELECT count(*) AS n FROM webhook_endpoint WHERE url = ?", url)
                .orElseThrow().column("n").get(Long.class), equalTo(0L));
    }

    @Test
    void aUrlThatIsNotHttpIs400() {
        as(tenant.token()).body(Map.of("url", "file:///etc/passwd", "events", List.of("audience.paused")))
                .post("/api/v1/webhooks").then().statusCode(400).body("code", equalTo("validation_failed"));
        as(tenant.token()).body(Map.of("url", "http://user:pw@hooks.example.com/", "events", List.of("audience.paused")))
                .post("/api/v1/webhooks").then().statusCode(400).body("code", equalTo("validation_failed"));
    }

    @Test
    void anEndpointThatResolvesToLoopbackAtDeliveryGetsNothing() throws Exception {
        // Stands for an endpoint registered while its name resolved to a public address, which now resolves to
        // loopback (DNS rebinding): stored as registration would store it, the registration check skipped.
        UUID endpoint = UUID.randomUUID();
        byte[] serverKey = SigningKey.resolve(app.settings().jwtSecret(), app.settings().dataDir());
        app.database().inTransaction(tx -> {
            new WebhookStore(app.database()).insertEndpoint(tx, endpoint, tenant.organization().id(), receiver.url(),
                    List.of(EventType.PAUSED), null, new SecretSeal(serverKey).seal(endpoint, "whsec_AAAA"), Instant.now());
            return null;
        });
        long id = create(tenant, Map.of("name", "Rebound", "type", "elixir", "refresh_schedule", "manual",
                "filter", and(rule("seniority_level", "in", List.of("director")))));
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .post("/api/v1/audiences/" + id + "/pause").then().statusCode(200);

        Instant deadline = Instant.now().plusSeconds(15);
        JsonPath log;
        do {
            Thread.sleep(50);
            log = as(tenant.token()).get("/api/v1/webhooks/" + endpoint + "/deliveries").then().statusCode(200)
                    .extract().jsonPath();
        } while (!"failed".equals(log.getString("deliveries[0].status")) && Instant.now().isBefore(deadline));
        assertThat(log.prettify(), log.getString("deliveries[0].status"), equalTo("failed"));
        assertThat(log.getInt("deliveries[0].attempts"), equalTo(1));
        assertThat(log.getString("deliveries[0].attempt_log[0].error"), equalTo("webhook_target_forbidden"));
        assertThat(log.get("deliveries[0].attempt_log[0].response_status"), nullValue());
        assertThat(log.get("deliveries[0].next_attempt_at"), nullValue());
        assertThat("the receiver got no request", receiver.received(), is(empty()));
    }
}
