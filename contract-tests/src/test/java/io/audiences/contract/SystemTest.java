package io.audiences.contract;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.audiences.server.platform.Contract;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
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
    void metricsNeedNoCredentialsByDefault() {
        given().get("/metrics").then()
                .statusCode(200)
                .contentType("text/plain")
                .body(containsString("audiences_http_requests_seconds_bucket{"));
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
    void docsPageRendersTheContractWithSwaggerUiFromItsDeclaredAssets() {
        String html = given().get("/docs").then()
                .statusCode(200)
                .contentType("text/html")
                .body(containsString("SwaggerUIBundle("))
                .body(containsString("url: \"openapi\""))
                .extract().asString();
        Matcher m = Pattern.compile("(?:href|src)=\"docs/assets/([^\"]+)\"").matcher(html);
        List<String> assets = m.results().map(r -> r.group(1)).toList();
        assertThat(assets, hasItems("swagger-ui-bundle.js", "swagger-ui.css"));
        for (String asset : assets) {
            String type = asset.endsWith(".js") ? "text/javascript" : asset.endsWith(".css") ? "text/css" : "image/png";
            byte[] body = given().get("/docs/assets/" + asset).then()
                    .statusCode(200)
                    .contentType(type)
                    .header("Cache-Control", containsString("max-age"))
                    .extract().asByteArray();
            assertThat(asset, body.length, greaterThan(0));
        }
        given().get("/docs/assets/swagger-ui-bundle.js").then().statusCode(200)
                .body(containsString("SwaggerUIBundle"));
    }

    @Test
    void docsAssetsServeOnlyTheFilesOfThePage() {
        for (String name : List.of("swagger-initializer.js", "index.html", "pom.properties", "no-such-file.css", "..")) {
            given().get("/docs/assets/" + name).then()
                    .statusCode(404)
                    .contentType("application/problem+json")
                    .body("code", equalTo("not_found"));
        }
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
