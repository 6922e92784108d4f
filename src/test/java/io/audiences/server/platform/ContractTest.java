package io.audiences.server.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
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

    /**
     * The segment index answers exactly what the first matching template in the document's order answers, each
     * parameter being one non-empty segment: checked against that rule written as regular expressions, for every
     * operation's own path and for near misses of it.
     */
    @Test
    void theSegmentIndexMatchesAsTheTemplatesInDocumentOrder() {
        List<String> paths = new ArrayList<>(List.of("/", "", "/api", "/api/v1/audiences//sample", "//api/v1/audiences",
                "/api/v1/audiences/42/sample/", "/api/v1/audiencesX/42"));
        for (Contract.Operation op : CONTRACT.operations()) {
            String path = op.template().replaceAll("\\{[^/}]+}", "p1");
            paths.addAll(List.of(path, path + "/", path + "/extra", path.replace("/p1", "/"), "/x" + path, path.toUpperCase()));
        }
        int matched = 0;
        for (String path : paths) {
            for (String method : List.of("GET", "POST", "PATCH", "PUT", "DELETE")) {
                Optional<String> expected = CONTRACT.operations().stream().filter(o -> o.method().equals(method)
                        && Pattern.matches(regex(o.template()), path)).map(Contract.Operation::id).findFirst();
                assertThat(method + " " + path, CONTRACT.match(method, path).map(Contract.Operation::id), is(expected));
                matched += expected.isPresent() ? 1 : 0;
            }
            assertThat(path, CONTRACT.methodsOf(path), is(CONTRACT.operations().stream()
                    .filter(o -> Pattern.matches(regex(o.template()), path))
                    .map(Contract.Operation::method).distinct().toList()));
        }
        assertThat(matched, greaterThanOrEqualTo(CONTRACT.operations().size()));
    }

    /** The reference rule: literal text quoted, each parameter one or more characters other than '/'. */
    private static String regex(String template) {
        Matcher param = Pattern.compile("\\{[^/}]+}").matcher(template);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (param.find()) {
            regex.append(Pattern.quote(template.substring(last, param.start()))).append("[^/]+");
            last = param.end();
        }
        return regex.append(Pattern.quote(template.substring(last))).toString();
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
