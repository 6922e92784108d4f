package io.audiences.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openapitools.openapidiff.core.OpenApiCompare;
import org.openapitools.openapidiff.core.model.ChangedOpenApi;
import org.openapitools.openapidiff.core.output.MarkdownRender;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The breaking-change gate: {@code openapi.yaml} must stay backward compatible with the released contract in
 * {@code contract-tests/baseline/openapi.yaml}, as judged by OpenAPI Tools' openapi-diff. Existing clients and
 * generated SDKs keep working when this passes. Updating the baseline is a deliberate, reviewed step (README,
 * "Changing the contract"). Needs no server and no database.
 */
class BreakingChangeTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    static final Path CONTRACT = MODULE.resolve("../openapi.yaml").normalize();
    static final Path BASELINE = MODULE.resolve("baseline/openapi.yaml");

    @Test
    void contractIsBackwardCompatibleWithTheBaseline() throws IOException {
        String report = assertCompatible(Files.readString(BASELINE), Files.readString(CONTRACT));
        Path out = MODULE.resolve("target/openapi-diff.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    /**
     * Fails with openapi-diff's Markdown report when {@code current} breaks clients of {@code baseline}; returns
     * the report (empty when nothing changed) otherwise.
     */
    static String assertCompatible(String baseline, String current) {
        ChangedOpenApi diff = OpenApiCompare.fromContents(baseline, current);
        String report = markdown(diff);
        if (diff.isIncompatible()) {
            throw new AssertionError("openapi.yaml breaks clients of the released contract "
                    + "(contract-tests/baseline/openapi.yaml). Make the change backward compatible, or, if the "
                    + "break is intended and announced, update the baseline as the README's \"Changing the "
                    + "contract\" says.\n\n" + report);
        }
        return report;
    }

    private static String markdown(ChangedOpenApi diff) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStreamWriter writer = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
            new MarkdownRender().render(diff, writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    // --- the gate itself, on two tiny specs ---------------------------------------------------------------

    /** A released contract: one read and one create, with a required response property and an enum. */
    private static final String OLD = """
            openapi: 3.0.3
            info: {title: tiny, version: '1'}
            paths:
              /things/{thing_id}:
                get:
                  operationId: getThing
                  parameters:
                    - {name: thing_id, in: path, required: true, schema: {type: string}}
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: '#/components/schemas/Thing'}
              /things:
                post:
                  operationId: createThing
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema: {$ref: '#/components/schemas/ThingCreate'}
                  responses:
                    '201':
                      description: created
                      content:
                        application/json:
                          schema: {$ref: '#/components/schemas/Thing'}
            components:
              schemas:
                ThingCreate:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string, maxLength: 100}
                    color: {type: string, enum: [red, blue]}
                Thing:
                  type: object
                  required: [thing_id, name]
                  properties:
                    thing_id: {type: string}
                    name: {type: string}
            """;

    @Test
    void identicalSpecsPass() {
        assertCompatible(OLD, OLD);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "new optional request property",
        "new response property",
        "new operation",
        "new enum value in a request",
        "longer maxLength on a request property",
        "new description"})
    void compatibleChangesPass(String change) {
        String changed = switch (change) {
            case "new optional request property" ->
                    OLD.replace("    color: {type: string, enum: [red, blue]}",
                            "    color: {type: string, enum: [red, blue]}\n        size: {type: integer}");
            case "new response property" ->
                    OLD.replace("    thing_id: {type: string}\n", "    thing_id: {type: string}\n        created_at: {type: string}\n");
            case "new operation" -> OLD.replace("  /things:\n    post:",
                    "  /things:\n    get:\n      operationId: listThings\n      responses:\n        '200': {description: ok}\n    post:");
            case "new enum value in a request" -> OLD.replace("enum: [red, blue]", "enum: [red, blue, green]");
            case "longer maxLength on a request property" -> OLD.replace("maxLength: 100", "maxLength: 200");
            case "new description" -> OLD.replace("operationId: getThing", "operationId: getThing\n      description: Reads a thing.");
            default -> throw new IllegalArgumentException(change);
        };
        assertChanged(changed);
        assertCompatible(OLD, changed);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "removed operation",
        "renamed path",
        "new required request property",
        "removed response property",
        "changed property type",
        "removed enum value in a request",
        "shorter maxLength on a request property"})
    void breakingChangesFail(String change) {
        String changed = switch (change) {
            case "removed operation" -> OLD.substring(0, OLD.indexOf("  /things:\n")) + OLD.substring(OLD.indexOf("components:"));
            case "renamed path" -> OLD.replace("/things/{thing_id}:", "/items/{thing_id}:");
            case "new required request property" -> OLD.replace("required: [name]", "required: [name, color]");
            case "removed response property" -> OLD.replace("required: [thing_id, name]\n", "required: [thing_id]\n")
                    .replace("    thing_id: {type: string}\n        name: {type: string}\n", "    thing_id: {type: string}\n");
            case "changed property type" -> OLD.replace("    thing_id: {type: string}\n", "    thing_id: {type: integer}\n");
            case "removed enum value in a request" -> OLD.replace("enum: [red, blue]", "enum: [red]");
            case "shorter maxLength on a request property" -> OLD.replace("maxLength: 100", "maxLength: 50");
            default -> throw new IllegalArgumentException(change);
        };
        assertChanged(changed);
        AssertionError failure = assertThrows(AssertionError.class, () -> assertCompatible(OLD, changed));
        assertThat(failure.getMessage(), containsString("breaks clients"));
    }

    /** Guards the test itself: a replacement that matched nothing would prove nothing. */
    private static void assertChanged(String changed) {
        if (changed.equals(OLD)) {
            throw new AssertionError("the test's edit did not change the spec");
        }
    }
}
