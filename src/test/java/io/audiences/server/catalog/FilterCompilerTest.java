package io.audiences.server.catalog;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import io.audiences.model.ConditionRulesDto;
import io.audiences.model.FilterEntryDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.model.FilterOperatorDto;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The filter compiler on the standard catalog, without HTTP or a database: the exact SQL and parameters a filter
 * compiles to, and the exact pointers an invalid filter is refused with. Numbers arrive as {@link BigDecimal}, as
 * JSON-B reads them into the untyped {@code value}.
 */
class FilterCompilerTest {

    private final FilterCompiler compiler = new FilterCompiler(FieldCatalog.standard());

    // --- What valid filters compile to ---

    @Test
    void textEqualityIsCaseInsensitiveAndTheValueIsAParameter() {
        CompiledFilter f = compile(and(rule("first_name", FilterOperatorDto.EQ, "Ann' OR 1=1 --")));
        assertThat(f.predicate(), is("(LOWER(r.first_name) = ?)"));
        assertThat(f.params(), contains("ann' or 1=1 --"));
        assertThat(f.intentRules(), is(empty()));
        assertThat(f.intentRequired(), is(false));
        assertThat(f.readsCompany(), is(false));
    }

    @Test
    void textInequalityKeepsRowsWithoutAValue() {
        CompiledFilter f = compile(and(rule("company_name", FilterOperatorDto.NE, "Acme")));
        assertThat(f.predicate(), is("((c.name IS NULL OR LOWER(c.name) <> ?))"));
        assertThat(f.params(), contains("acme"));
        assertThat(f.readsCompany(), is(true));
    }

    @Test
    void aCompanyFieldAnywhereInTheFilterJoinsTheCompany() {
        assertThat(compile(and(rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t1")),
                rule("seniority_level", FilterOperatorDto.IN, List.of("vp")))).readsCompany(), is(false));
        assertThat(compile(and(rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t1")),
                group(FilterEntryDto.ConditionEnum.OR, rule("gender", FilterOperatorDto.EQ, "female"),
                        rule("company_employee_count", FilterOperatorDto.IN, List.of("1-10"))))).readsCompany(), is(true));
    }

    @Test
    void containsEscapesTheLikeWildcardsAndTheEscapeCharacter() {
        CompiledFilter f = compile(and(rule("job_title", FilterOperatorDto.CONTAINS, "50%_a\\B")));
        assertThat(f.predicate(), is("(LOWER(r.job_title) LIKE ? ESCAPE '\\')"));
        assertThat(f.params(), contains("%50\\%\\_a\\\\b%"));
    }

    @Test
    void textInListsDistinctLowerCaseValuesAndNotInKeepsRowsWithoutAValue() {
        CompiledFilter in = compile(and(rule("personal_city", FilterOperatorDto.IN, List.of("Paris", "Lyon", "Paris"))));
        assertThat(in.predicate(), is("(LOWER(r.personal_city) IN (?, ?))"));
        assertThat(in.params(), contains("paris", "lyon"));
        CompiledFilter notIn = compile(and(rule("personal_city", FilterOperatorDto.NOTIN, List.of("Paris"))));
        assertThat(notIn.predicate(), is("((r.personal_city IS NULL OR NOT LOWER(r.personal_city) IN (?)))"));
    }

    @Test
    void picklistValuesAreMatchedCaseInsensitively() {
        CompiledFilter f = compile(and(rule("seniority_level", FilterOperatorDto.IN, List.of("VP", "cxo"))));
        assertThat(f.predicate(), is("(LOWER(r.seniority_level) IN (?, ?))"));
        assertThat(f.params(), contains("vp", "cxo"));
    }

    @Test
    void booleanEqualityAndInequality() {
        assertThat(compile(and(rule("is_homeowner", FilterOperatorDto.EQ, true))).predicate(), is("(r.is_homeowner = ?)"));
        CompiledFilter ne = compile(and(rule("is_married", FilterOperatorDto.NE, false)));
        assertThat(ne.predicate(), is("((r.is_married IS NULL OR r.is_married <> ?))"));
        assertThat(ne.params(), contains(false));
    }

    @Test
    void bucketLabelsCompileToSortedBucketIndexes() {
        CompiledFilter f = compile(and(rule("age_range", FilterOperatorDto.IN, List.of("65+", "18-24", "35-44"))));
        assertThat(f.predicate(), is("(r.age_bucket IN (?, ?, ?))"));
        assertThat(f.params(), contains(0, 2, 5));
    }

    /** Age buckets: 0 = 18-24, 1 = 25-34, 2 = 35-44, 3 = 45-54, 4 = 55-64, 5 = 65+ (open). */
    @ParameterizedTest(name = "age {0} {1} -> buckets {2}")
    @CsvSource(delimiter = ';', value = {
        "gte; 25; 1,2,3,4,5",
        "gte; 26; 2,3,4,5",
        "gt; 24; 1,2,3,4,5",
        "gt; 25; 2,3,4,5",
        "lte; 24; 0",
        "lte; 23; ''",
        "lt; 25; 0",
        "lt; 1000; 0,1,2,3,4",
        "gte; 65; 5",
    })
    void aBucketMatchesAComparisonOnlyIfEveryValueInItDoes(String op, long bound, String buckets) {
        CompiledFilter f = compile(and(rule("age_range", FilterOperatorDto.fromValue(op), BigDecimal.valueOf(bound))));
        List<Object> expected = buckets.isEmpty() ? List.of()
                : Arrays.stream(buckets.split(",")).map(Integer::valueOf).map(Object.class::cast).toList();
        assertThat(f.params(), is(expected));
        assertThat(f.predicate(), is(expected.isEmpty() ? "(1 = 0)"
                : "(r.age_bucket IN (" + String.join(", ", Collections.nCopies(expected.size(), "?")) + "))"));
    }

    @Test
    void betweenMatchesTheBucketsInsideTheClosedRange() {
        assertThat(compile(and(rule("age_range", FilterOperatorDto.BETWEEN, numbers(25, 44)))).params(), contains(1, 2));
        assertThat(compile(and(rule("age_range", FilterOperatorDto.BETWEEN, numbers(25, 43)))).params(), contains(1));
        // The open top bucket is never inside a closed range.
        assertThat(compile(and(rule("age_range", FilterOperatorDto.BETWEEN, numbers(65, 1_000_000)))).predicate(),
                is("(1 = 0)"));
    }

    @Test
    void notInExcludesTheBucketsButKeepsRowsWithoutAValue() {
        CompiledFilter f = compile(and(rule("age_range", FilterOperatorDto.NOTIN, List.of("25-34"))));
        assertThat(f.predicate(), is("((r.age_bucket IS NULL OR NOT r.age_bucket IN (?)))"));
        assertThat(f.params(), contains(1));
    }

    @Test
    void nestedGroupsKeepTheirConditionsAndParameterOrder() {
        CompiledFilter f = compile(and(
                rule("gender", FilterOperatorDto.EQ, "female"),
                group(FilterEntryDto.ConditionEnum.OR,
                        rule("personal_state_code", FilterOperatorDto.EQ, "CA"),
                        rule("personal_state_code", FilterOperatorDto.EQ, "NY"))));
        assertThat(f.predicate(),
                is("(LOWER(r.gender) = ? AND (LOWER(r.personal_state_code) = ? OR LOWER(r.personal_state_code) = ?))"));
        assertThat(f.params(), contains("female", "ca", "ny"));
    }

    @Test
    void intentRulesBecomeFlagBitsInRuleOrder() {
        CompiledFilter f = compile(and(
                rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t1", "t2")),
                rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t2", "t3"))));
        assertThat(f.predicate(),
                is("(MOD(COALESCE(s.flags, 0) / 1, 2) = 1 AND MOD(COALESCE(s.flags, 0) / 2, 2) = 1)"));
        assertThat(f.params(), is(empty()));
        assertThat(f.intentRules(), contains(List.of("t1", "t2"), List.of("t2", "t3")));
        assertThat(f.allTopics(), contains("t1", "t2", "t3"));
        assertThat(f.intentRequired(), is(true));
    }

    @Test
    void intentIsRequiredOnlyUnderATopLevelAnd() {
        CompiledFilter f = compile(filter(FilterGroupDto.ConditionEnum.OR,
                rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t1")),
                rule("gender", FilterOperatorDto.EQ, "male")));
        assertThat(f.intentRequired(), is(false));
    }

    @Test
    void intentScoreBecomesASignalConditionNotAPredicate() {
        CompiledFilter f = compile(and(
                rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t1")),
                rule(FieldCatalog.INTENT_SCORE, FilterOperatorDto.BETWEEN, numbers(60, 90)),
                rule(FieldCatalog.INTENT_SCORE, FilterOperatorDto.GTE, BigDecimal.valueOf(1_000_000_000_000L))));
        assertThat(f.predicate(), is("(MOD(COALESCE(s.flags, 0) / 1, 2) = 1 AND 1 = 1 AND 1 = 1)"));
        assertThat(f.scoreConditions(), contains("score BETWEEN ? AND ?", "score >= ?"));
        // An integer beyond the column's range is clamped rather than refused.
        assertThat(f.scoreParams(), contains(60, 90, Integer.MAX_VALUE));
    }

    @Test
    void thirtyIntentRulesAndOneHundredRulesAndFiveLevelsAreAllowed() {
        List<FilterEntryDto> rules = new ArrayList<>();
        IntStream.range(0, FilterCompiler.MAX_INTENT_RULES)
                .forEach(i -> rules.add(rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t" + i))));
        while (rules.size() < FilterCompiler.MAX_RULES) {
            rules.add(rule("is_married", FilterOperatorDto.EQ, true));
        }
        assertThat(compile(filter(FilterGroupDto.ConditionEnum.AND, rules.toArray(FilterEntryDto[]::new))).intentRules().size(),
                is(30));
        assertThat(compile(and(nested(4, rule("is_married", FilterOperatorDto.EQ, true)))).predicate(),
                is("(((((r.is_married = ?)))))"));
    }

    // --- What invalid filters are refused with ---

    @Test
    void anUnknownFieldIsReportedAtItsName() {
        DomainException e = refused(and(rule("shoe_size", FilterOperatorDto.EQ, "42")));
        assertThat(e.kind(), is(DomainException.Kind.INVALID));
        assertThat(e.code(), is(ErrorCode.INVALID_FILTER));
        assertThat(e.errors(), contains(new DomainException.FieldError("/filter/rules/0/fieldName",
                "unknown field shoe_size; see GET /api/v1/field-catalog")));
    }

    @Test
    void anOperatorTheFieldDoesNotAllowIsReportedAtTheOperator() {
        assertThat(refused(and(rule("gender", FilterOperatorDto.CONTAINS, "fe"))).errors(), contains(
                new DomainException.FieldError("/filter/rules/0/conditionRules/operator",
                        "operator contains is not allowed on gender; allowed: [in, notin, eq, ne]")));
    }

    @Test
    void anUnknownPicklistValueIsReportedWithTheAllowedOnes() {
        assertThat(refused(and(rule("gender", FilterOperatorDto.IN, List.of("female", "other")))).errors(), contains(
                new DomainException.FieldError("/filter/rules/0/conditionRules/value",
                        "unknown values [other] for gender; allowed: [female, male, unknown]")));
    }

    @Test
    void anUnknownBucketLabelIsReportedWithTheAllowedOnes() {
        assertThat(refused(and(rule("age_range", FilterOperatorDto.IN, List.of("18-25")))).errors(), contains(
                new DomainException.FieldError("/filter/rules/0/conditionRules/value",
                        "unknown bucket 18-25 for age_range; allowed: [18-24, 25-34, 35-44, 45-54, 55-64, 65+]")));
    }

    @Test
    void valuesOfTheWrongShapeAreReportedAtTheValue() {
        String at = "/filter/rules/0/conditionRules/value";
        assertThat(refused(and(rule("is_married", FilterOperatorDto.EQ, "yes"))).errors(),
                contains(new DomainException.FieldError(at, "expected true or false")));
        assertThat(refused(and(rule("first_name", FilterOperatorDto.EQ, ""))).errors(),
                contains(new DomainException.FieldError(at, "expected a non-empty string of at most 500 characters")));
        assertThat(refused(and(rule("first_name", FilterOperatorDto.IN, List.of()))).errors(),
                contains(new DomainException.FieldError(at, "expected a non-empty array of at most 1000 non-empty strings")));
        assertThat(refused(and(rule("age_range", FilterOperatorDto.GT, new BigDecimal("24.5")))).errors(),
                contains(new DomainException.FieldError(at, "expected an integer")));
        assertThat(refused(and(rule("age_range", FilterOperatorDto.BETWEEN, numbers(44, 25)))).errors(),
                contains(new DomainException.FieldError(at, "expected [min, max] with integers min <= max")));
    }

    @Test
    void lengthLimitsAreInclusive() {
        compile(and(rule("first_name", FilterOperatorDto.EQ, "a".repeat(500))));
        assertThat(refused(and(rule("first_name", FilterOperatorDto.EQ, "a".repeat(501)))).errors().size(), is(1));
        compile(and(rule("first_name", FilterOperatorDto.IN, Collections.nCopies(1000, "a"))));
        assertThat(refused(and(rule("first_name", FilterOperatorDto.IN, Collections.nCopies(1001, "a")))).errors().size(),
                is(1));
        compile(and(rule("first_name", FilterOperatorDto.IN, List.of("a".repeat(200)))));
        assertThat(refused(and(rule("first_name", FilterOperatorDto.IN, List.of("a".repeat(201))))).errors().size(), is(1));
    }

    @Test
    void aRuleWithoutOperatorOrFieldIsReported() {
        assertThat(refused(and(new FilterEntryDto().fieldName("first_name"))).errors(), contains(
                new DomainException.FieldError("/filter/rules/0/conditionRules", "operator and value are required")));
        assertThat(refused(and(new FilterEntryDto()
                        .conditionRules(new ConditionRulesDto().operator(FilterOperatorDto.EQ).value("x"))))
                .errors(), contains(new DomainException.FieldError("/filter/rules/0/fieldName", "required property is missing")));
    }

    @Test
    void anEntryThatIsBothOrNeitherRuleAndGroupIsReportedAtTheEntry() {
        FilterEntryDto both = rule("first_name", FilterOperatorDto.EQ, "a").condition(FilterEntryDto.ConditionEnum.AND)
                .rules(List.of(rule("last_name", FilterOperatorDto.EQ, "b")));
        String detail = "an entry is either a rule (fieldName, conditionRules) or a group (condition, rules)";
        assertThat(refused(and(both, new FilterEntryDto())).errors(), contains(
                new DomainException.FieldError("/filter/rules/0", detail),
                new DomainException.FieldError("/filter/rules/1", detail)));
    }

    @Test
    void groupsNeedAConditionAndAtLeastOneRule() {
        assertThat(refused(and()).errors(), contains(
                new DomainException.FieldError("/filter/rules", "a group needs at least one rule")));
        assertThat(refused(and(new FilterEntryDto().rules(List.of(rule("first_name", FilterOperatorDto.EQ, "a"))))).errors(),
                contains(new DomainException.FieldError("/filter/rules/0/condition", "required property is missing")));
    }

    @Test
    void aSixthLevelIsRefusedAtTheGroupThatOpensIt() {
        assertThat(refused(and(nested(5, rule("is_married", FilterOperatorDto.EQ, true)))).errors(), contains(
                new DomainException.FieldError("/filter/rules/0/rules/0/rules/0/rules/0/rules/0",
                        "groups nest at most 5 levels")));
    }

    @Test
    void theHundredAndFirstRuleIsRefused() {
        FilterEntryDto[] rules = Collections.nCopies(101, rule("is_married", FilterOperatorDto.EQ, true))
                .toArray(FilterEntryDto[]::new);
        assertThat(refused(and(rules)).errors(), contains(
                new DomainException.FieldError("/filter/rules/100", "a filter holds at most 100 rules")));
    }

    @Test
    void theThirtyFirstIntentRuleIsRefused() {
        FilterEntryDto[] rules = IntStream.rangeClosed(0, 30)
                .mapToObj(i -> rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t" + i))).toArray(FilterEntryDto[]::new);
        assertThat(refused(and(rules)).errors(), contains(new DomainException.FieldError(
                "/filter/rules/30/conditionRules/value", "a filter holds at most 30 INTENT rules")));
    }

    @Test
    void intentScoreNeedsAnIntentRule() {
        assertThat(refused(and(rule(FieldCatalog.INTENT_SCORE, FilterOperatorDto.GT, BigDecimal.TEN))).errors(), contains(
                new DomainException.FieldError("/filter/rules", "intent_score needs an INTENT rule in the same filter")));
    }

    @Test
    void intentScoreIsRefusedOutsideTheTopLevelAnd() {
        String detail = "intent_score may only appear in the top-level group with condition and";
        FilterEntryDto score = rule(FieldCatalog.INTENT_SCORE, FilterOperatorDto.GT, BigDecimal.TEN);
        FilterEntryDto intent = rule(FieldCatalog.INTENT, FilterOperatorDto.IN, List.of("t1"));
        assertThat(refused(filter(FilterGroupDto.ConditionEnum.OR, intent, score)).errors(),
                contains(new DomainException.FieldError("/filter/rules/1/fieldName", detail)));
        assertThat(refused(and(intent, group(FilterEntryDto.ConditionEnum.AND, score))).errors(),
                contains(new DomainException.FieldError("/filter/rules/1/rules/0/fieldName", detail)));
    }

    @Test
    void everyProblemIsReportedAtOnceUnderTheGivenPointer() {
        DomainException e = assertThrows(DomainException.class, () -> compiler.compile(and(
                rule("shoe_size", FilterOperatorDto.EQ, "42"),
                rule("first_name", FilterOperatorDto.EQ, "ok"),
                group(FilterEntryDto.ConditionEnum.OR, rule("is_married", FilterOperatorDto.EQ, "no"))), "/changes/filter"));
        assertThat(e.errors().stream().map(DomainException.FieldError::pointer).toList(), contains(
                "/changes/filter/rules/0/fieldName", "/changes/filter/rules/2/rules/0/conditionRules/value"));
    }

    // --- Helpers ---

    private CompiledFilter compile(FilterGroupDto filter) {
        return compiler.compile(filter, "/filter");
    }

    private DomainException refused(FilterGroupDto filter) {
        return assertThrows(DomainException.class, () -> compile(filter));
    }

    private static FilterGroupDto and(FilterEntryDto... entries) {
        return filter(FilterGroupDto.ConditionEnum.AND, entries);
    }

    private static FilterGroupDto filter(FilterGroupDto.ConditionEnum condition, FilterEntryDto... entries) {
        return new FilterGroupDto().condition(condition).rules(List.of(entries));
    }

    private static FilterEntryDto group(FilterEntryDto.ConditionEnum condition, FilterEntryDto... entries) {
        return new FilterEntryDto().condition(condition).rules(List.of(entries));
    }

    /** {@code entry} wrapped in {@code levels} AND groups. */
    private static FilterEntryDto nested(int levels, FilterEntryDto entry) {
        FilterEntryDto e = entry;
        for (int i = 0; i < levels; i++) {
            e = group(FilterEntryDto.ConditionEnum.AND, e);
        }
        return e;
    }

    private static FilterEntryDto rule(String field, FilterOperatorDto op, Object value) {
        return new FilterEntryDto().fieldName(field).conditionRules(new ConditionRulesDto().operator(op).value(value));
    }

    private static List<BigDecimal> numbers(long lo, long hi) {
        return List.of(BigDecimal.valueOf(lo), BigDecimal.valueOf(hi));
    }
}
