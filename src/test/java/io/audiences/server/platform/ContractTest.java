package io.audiences.server.platform;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * The contract as the server reads it at run time: routes matched by method and path template, security and scope
 * per operation, body validation with JSON pointers, and the problem-code list. No server, no database.
 */
class ContractTest {

    private static final Contract CONTRACT = Contract.load();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void matchesAPathTemplateByMethod() {
        Contract.Operation get = CONTRACT.match("GET", "/api/v1/audiences/42").orElseThrow();
        assertThat(get.id(), is("getAudience"));
        assertThat(get.template(), is("/api/v1/audiences/{audience_id}"));
        assertThat(CONTRACT.match("POST", "/api/v1/audiences").orElseThrow().id(), is("createAudience"));
        assertThat(CONTRACT.match("GET", "/api/v1/audiences/42/nothing-here").isPresent(), is(false));
        assertThat(CONTRACT.match("GET", "/api/v1/audiences/42/").isPresent(), is(false));
    }

    @Test
    void listsTheMethodsOfAPathForAllow() {
        assertThat(CONTRACT.methodsOf("/api/v1/audiences"), hasItem("GET"));
        assertThat(CONTRACT.methodsOf("/api/v1/audiences"), hasItem("POST"));
        assertThat(CONTRACT.methodsOf("/no/such/path"), is(empty()));
    }

    @Test
    void securityAndScopeComeFromTheOperation() {
        Contract.Operation login = CONTRACT.match("POST", "/auth/v1/login").orElseThrow();
        assertThat(login.allowsAnonymous(), is(true));
        Contract.Operation create = CONTRACT.match("POST", "/api/v1/audiences").orElseThrow();
        assertThat(create.allowsAnonymous(), is(false));
        assertThat(create.accepts("bearerAuth"), is(true));
        assertThat(create.requiredScope(), is("read_write"));
        assertThat(create.bodySchema().orElseThrow(), is("AudienceCreateRequest"));
        assertThat(create.bodyRequired(), is(true));
        assertThat(CONTRACT.match("GET", "/api/v1/audiences/42").orElseThrow().requiredScope(), is("read"));
    }

    @Test
    void validatesABodyWithPointersToEachViolation() {
        JsonNode body = JSON.valueToTree(Map.of("type", "intents", "extra", 1));
        List<DomainException.FieldError> errors = CONTRACT.validate("AudienceCreateRequest", body);
        assertThat(errors.stream().map(DomainException.FieldError::pointer).sorted().toList(),
                contains("/extra", "/filter"));
        JsonNode valid = JSON.valueToTree(Map.of("name", "Buyers", "type", "elixir", "filter", Map.of("condition", "and",
                "rules", List.of(Map.of("fieldName", "seniority_level", "conditionRules",
                        Map.of("operator", "in", "value", List.of("vp")))))));
        assertThat(CONTRACT.validate("AudienceCreateRequest", valid), is(empty()));
    }

    @Test
    void problemCodesAreListedOnceEachWithTheirStatus() {
        Contract.ProblemCode notFound = CONTRACT.problemCodes().stream().filter(p -> p.code().equals("not_found"))
                .findFirst().orElseThrow();
        assertThat(notFound.status(), is(404));
        assertThat(CONTRACT.problemCodes().stream().map(Contract.ProblemCode::code).distinct().count(),
                is((long) CONTRACT.problemCodes().size()));
    }
}
