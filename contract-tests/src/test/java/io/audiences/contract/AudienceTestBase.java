package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

import static org.junit.jupiter.api.Assertions.fail;

/** Audience tests: fast build workers and helpers to create audiences and wait for their builds. */
abstract class AudienceTestBase extends ServerTestBase {

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.builds.poll-interval", "PT0.05S");
        overrides.put("audiences.builds.schedule-interval", "PT0.2S");
        return overrides;
    }

    static Map<String, Object> rule(String field, String operator, Object value) {
        return Map.of("fieldName", field, "conditionRules", Map.of("operator", operator, "value", value));
    }

    static Map<String, Object> and(Object... rules) {
        return Map.of("condition", "and", "rules", List.of(rules));
    }

    /** Creates an audience and returns its id. */
    long create(Tenant t, Map<String, Object> body) {
        return ((Number) as(t.token()).header("X-Project-Id", t.project().id().toString()).body(body)
                .post("/api/v1/audiences").then().statusCode(201).extract().path("id")).longValue();
    }

    JsonPath get(Tenant t, long id) {
        return as(t.token()).queryParam("project_id", t.project().id().toString()).get("/api/v1/audiences/" + id)
                .then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the audience reaches one of {@code statuses} (30 s at most). */
    JsonPath await(Tenant t, long id, String... statuses) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        JsonPath last = null;
        while (Instant.now().isBefore(deadline)) {
            last = get(t, id);
            if (List.of(statuses).contains(last.getString("status"))) {
                return last;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("audience " + id + " did not reach " + String.join(" or ", statuses) + ": " + (last == null ? "-" : last.prettify()));
        return last;
    }
}
