package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.audiences.server.platform.Clock;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** Scheduled renewal under a test-controlled clock: due audiences rebuild, paused and manual ones do not. */
class AudienceScheduleTest extends AudienceTestBase {

    private final MovableClock clock = new MovableClock();
    private UpstreamFixture data;
    private Tenant tenant;

    @Override
    protected Clock clock() {
        return clock;
    }

    /** The clock jumps up to a day ahead; tokens must outlive the jump. */
    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.auth.jwt-ttl", "P8D");
        return overrides;
    }

    @BeforeAll
    void loadData() throws Exception {
        data = new UpstreamFixture(3, 60, LocalDate.now(ZoneOffset.UTC), 5);
        data.write(app.database(), 0);
        tenant = tenant("Schedules");
    }

    private long create(String name, String schedule) {
        return create(tenant, Map.of("name", name, "type", "intents", "refresh_schedule", schedule,
                "filter", and(rule("INTENT", "in", List.of(data.topicIds.getFirst())))));
    }

    private String lastBuilt(long id) {
        return get(tenant, id).getString("last_built_at");
    }

    @Test
    void dueAudiencesRenewAndMoveToTheNextTick() throws Exception {
        long daily = create("Daily", "daily");
        long manual = create("Manual", "manual");
        long paused = create("Paused", "daily");
        JsonPath first = await(tenant, daily, "Completed");
        await(tenant, manual, "Completed");
        await(tenant, paused, "Completed");
        assertThat(get(tenant, manual).getString("renew_time"), nullValue());
        as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .post("/api/v1/audiences/" + paused + "/pause").then().statusCode(200);
        String dailyBuilt = first.getString("last_built_at");
        String manualBuilt = lastBuilt(manual);
        String pausedBuilt = lastBuilt(paused);
        Instant renew = Instant.parse(first.getString("renew_time"));

        clock.passing(renew);
        Instant deadline = Instant.now().plusSeconds(30);
        while (dailyBuilt.equals(lastBuilt(daily)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        JsonPath renewed = await(tenant, daily, "Completed");
        assertThat(renewed.getString("last_built_at"), not(is(dailyBuilt)));
        assertThat(Instant.parse(renewed.getString("renew_time")), is(renew.plus(Duration.ofDays(1))));
        assertThat(lastBuilt(manual), is(manualBuilt));
        assertThat(lastBuilt(paused), is(pausedBuilt));

        // The stashed tick has passed: resume schedules the next future one instead of firing at once.
        JsonPath resumed = as(tenant.token()).header("X-Project-Id", tenant.project().id().toString())
                .post("/api/v1/audiences/" + paused + "/resume").then().statusCode(200).extract().jsonPath();
        assertThat(Instant.parse(resumed.getString("renew_time")).isAfter(clock.instant()), is(true));
    }
}
