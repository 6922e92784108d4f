package io.audiences.contract;

import java.io.IOException;
import java.io.InputStream;

import io.audiences.server.platform.Contract;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

class SystemTest extends ServerTestBase {

    @Test
    void healthReportsDatabaseUp() {
        given().get("/health").then()
                .statusCode(200)
                .contentType("application/json")
                .body("status", equalTo("UP"))
                .body("database", equalTo("UP"));
    }

    @Test
    void openapiServesTheCommittedDocumentByteForByte() throws IOException {
        byte[] expected;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(Contract.RESOURCE)) {
            expected = in.readAllBytes();
        }
        byte[] served = given().get("/openapi").then().statusCode(200).contentType("application/yaml")
                .extract().asByteArray();
        assertThat(served, is(expected));
    }

    @Test
    void unknownPathIsProblemJson404WithRequestId() {
        String requestId = given().header("X-Request-Id", "trace-abc.123").get("/no/such/path").then()
                .statusCode(404)
                .contentType("application/problem+json")
                .header("X-Request-Id", "trace-abc.123")
                .body("code", equalTo("not_found"))
                .body("status", equalTo(404))
                .extract().path("request_id");
        assertThat(requestId, is("trace-abc.123"));
    }

    @Test
    void requestIdIsGeneratedWhenAbsentOrUnsafe() {
        String id = given().header("X-Request-Id", "bad id with spaces").get("/health").then().statusCode(200)
                .extract().header("X-Request-Id");
        assertThat(id, notNullValue());
        assertThat(id, matchesPattern("[0-9a-f-]{36}"));
    }
}
