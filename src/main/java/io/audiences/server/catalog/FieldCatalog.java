package io.audiences.server.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.audiences.server.upstream.Upstream;

/**
 * The single source of truth for what a filter may say: served by {@code GET /api/v1/field-catalog}
 * and used to validate and compile every filter. Bucket labels and bounds live only here; the upstream
 * tables store bucket indexes.
 */
public final class FieldCatalog {

    public static final String INTENT = "INTENT";
    public static final String INTENT_SCORE = "intent_score";

    static final List<String> TEXT_OPS = List.of("eq", "ne", "contains", "in", "notin");
    static final List<String> PICK_OPS = List.of("in", "notin", "eq", "ne");
    static final List<String> BUCKET_OPS = List.of("in", "notin", "gt", "gte", "lt", "lte", "between");
    static final List<String> BOOL_OPS = List.of("eq", "ne");
    static final List<String> SCORE_OPS = List.of("eq", "gt", "gte", "lt", "lte", "between");

    /** Bucketed fields take their labels and bounds from the upstream data's vocabulary (bucket index = stored value). */
    public static final List<Field.Bucket> EMPLOYEES = buckets(Upstream.EMPLOYEE_BUCKETS, Upstream.EMPLOYEE_BUCKET_MIN);
    public static final List<Field.Bucket> REVENUE = buckets(Upstream.REVENUE_BUCKETS, Upstream.REVENUE_BUCKET_MIN);
    public static final List<Field.Bucket> AGE = buckets(Upstream.AGE_BUCKETS, Upstream.AGE_BUCKET_MIN);
    public static final List<Field.Bucket> INCOME = buckets(Upstream.INCOME_BUCKETS, Upstream.INCOME_BUCKET_MIN);
    public static final List<Field.Bucket> NET_WORTH = buckets(Upstream.NET_WORTH_BUCKETS, Upstream.NET_WORTH_BUCKET_MIN);

    public static final List<String> SENIORITY = Upstream.SENIORITY_LEVELS;
    public static final List<String> DEPARTMENTS = Upstream.DEPARTMENTS.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    public static final List<String> GENDERS = Upstream.GENDERS;

    private final Map<String, Field> fields;

    private FieldCatalog(List<Field> fields) {
        Map<String, Field> byKey = new LinkedHashMap<>();
        fields.forEach(f -> byKey.put(f.key(), f));
        this.fields = Collections.unmodifiableMap(byKey);
    }

    public static FieldCatalog standard() {
        List<Field> f = new ArrayList<>();
        f.add(new Field(INTENT, "Intent topics", "intent", Field.Kind.INTENT, List.of("in"), List.of(), List.of(), null));
        f.add(new Field(INTENT_SCORE, "Intent score", "intent", Field.Kind.SCORE, SCORE_OPS, List.of(), List.of(), "score"));
        text(f, "first_name", "First name", "contact", "r.first_name");
        text(f, "last_name", "Last name", "contact", "r.last_name");
        pick(f, "gender", "Gender", "demographics", GENDERS, "r.gender");
        bucket(f, "age_range", "Age range", "demographics", AGE, "r.age_bucket");
        text(f, "job_title", "Job title", "contact", "r.job_title");
        text(f, "job_title_normalized", "Job title (normalized)", "contact", "r.job_title_normalized");
        pick(f, "department", "Department", "contact", DEPARTMENTS, "r.department");
        pick(f, "seniority_level", "Seniority", "contact", SENIORITY, "r.seniority_level");
        // Delivr's persona contact keys; mobile_phones is Delivr's name for the record's one mobile phone.
        text(f, "linkedin_url", "LinkedIn URL", "contact", "r.linkedin_url");
        text(f, "personal_email", "Personal email", "contact", "r.personal_email");
        text(f, "current_business_email", "Business email", "contact", "r.current_business_email");
        text(f, "mobile_phones", "Mobile phone", "contact", "r.mobile_phone");
        bucket(f, "income_range_lc", "Household income", "demographics", INCOME, "r.income_bucket");
        bucket(f, "net_worth", "Net worth", "demographics", NET_WORTH, "r.net_worth_bucket");
        bool(f, "has_children", "Has children", "r.has_children");
        bool(f, "is_homeowner", "Homeowner", "r.is_homeowner");
        bool(f, "is_married", "Married", "r.is_married");
        text(f, "personal_city", "City", "contact", "r.personal_city");
        text(f, "personal_state", "State", "contact", "r.personal_state");
        text(f, "personal_state_code", "State code", "contact", "r.personal_state_code");
        text(f, "personal_zip", "ZIP code", "contact", "r.personal_zip");
        text(f, "personal_country", "Country", "contact", "r.personal_country");
        text(f, "company_name", "Company name", "company", "c.name");
        text(f, "company_domain", "Company domain", "company", "c.domain");
        text(f, "company_industry", "Company industry", "company", "c.industry");
        bucket(f, "company_employee_count", "Company employee count", "company", EMPLOYEES, "c.employee_bucket");
        bucket(f, "company_revenue", "Company revenue", "company", REVENUE, "c.revenue_bucket");
        text(f, "company_country", "Company country", "company", "c.country");
        text(f, "company_state", "Company state", "company", "c.state");
        return new FieldCatalog(f);
    }

    /** The display label of a picklist value: Delivr writes the acronyms in capitals ({@code CXO}, {@code VP}). */
    public static String label(String option) {
        return switch (option) {
            case "cxo", "vp" -> option.toUpperCase(Locale.ROOT);
            default -> option.substring(0, 1).toUpperCase(Locale.ROOT) + option.substring(1);
        };
    }

    public List<Field> fields() {
        return List.copyOf(fields.values());
    }

    public Optional<Field> field(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    private static void text(List<Field> f, String key, String name, String category, String column) {
        f.add(new Field(key, name, category, Field.Kind.TEXT, TEXT_OPS, List.of(), List.of(), column));
    }

    private static void pick(List<Field> f, String key, String name, String category, List<String> options, String column) {
        f.add(new Field(key, name, category, Field.Kind.PICKLIST, PICK_OPS, options, List.of(), column));
    }

    private static void bucket(List<Field> f, String key, String name, String category, List<Field.Bucket> buckets,
                               String column) {
        f.add(new Field(key, name, category, Field.Kind.BUCKET, BUCKET_OPS, List.of(), buckets, column));
    }

    private static void bool(List<Field> f, String key, String name, String column) {
        f.add(new Field(key, name, "demographics", Field.Kind.BOOLEAN, BOOL_OPS, List.of(), List.of(), column));
    }

    /** The upper bound of bucket i is the lower bound of bucket i+1 minus one; the last bucket is open. */
    private static List<Field.Bucket> buckets(List<String> labels, List<Long> mins) {
        List<Field.Bucket> result = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            result.add(new Field.Bucket(i, labels.get(i), mins.get(i),
                    i + 1 < mins.size() ? Optional.of(mins.get(i + 1) - 1) : Optional.empty()));
        }
        return List.copyOf(result);
    }
}
