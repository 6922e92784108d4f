package io.audiences.contract;

import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;

/** Health follows the database: up while it answers, 503 DOWN once the server cannot reach it. */
class HealthTest extends ServerTestBase {

    @Test
    void healthIs503WhenTheDatabaseIsGone() {
        given().get("/health").then().statusCode(200)
                .body("status", equalTo("UP")).body("database", equalTo("UP"));
        // The server's own pool closed: every connection attempt fails, as when the database is unreachable.
        app.database().close();
        given().get("/health").then().statusCode(503)
                .contentType("application/json")
                .body("status", equalTo("DOWN")).body("database", equalTo("DOWN"));
        // The same operation under Delivr's Public Core base path.
        given().get("/public/core/health").then().statusCode(503)
                .contentType("application/json")
                .body("status", equalTo("DOWN")).body("database", equalTo("DOWN"));
    }
}
