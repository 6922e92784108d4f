package io.audiences.server.upstream;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * Rows of the shared upstream data set, one record type per table of {@code V2__upstream.sql}. The generator
 * produces them, the NDJSON files carry them (snake_case keys equal to the column names) and the writer stores them.
 * Bucketed attributes are bucket indexes into the label lists below.
 */
public final class Upstream {

    /** Company employee count; index = {@code company.employee_bucket}. */
    public static final List<String> EMPLOYEE_BUCKETS =
            List.of("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+");
    /** Lower bounds of {@link #EMPLOYEE_BUCKETS}; the upper bound of bucket i is the lower bound of i+1 minus 1, the last is open. */
    public static final List<Long> EMPLOYEE_BUCKET_MIN = List.of(1L, 11L, 51L, 201L, 501L, 1001L, 5001L, 10001L);
    /** Company annual revenue in USD (provisional labels); index = {@code company.revenue_bucket}. */
    public static final List<String> REVENUE_BUCKETS = List.of("Under 1 million", "1 million to 10 million",
            "10 million to 25 million", "25 million to 50 million", "50 million to 100 million", "100 million to 250 million",
            "250 million to 1 billion", "1 billion and over");
    /** Lower bounds of {@link #REVENUE_BUCKETS} in USD. */
    public static final List<Long> REVENUE_BUCKET_MIN = List.of(0L, 1_000_000L, 10_000_000L, 25_000_000L, 50_000_000L,
            100_000_000L, 250_000_000L, 1_000_000_000L);
    /** Age in years (provisional); index = {@code contact_record.age_bucket}. */
    public static final List<String> AGE_BUCKETS = List.of("18-24", "25-34", "35-44", "45-54", "55-64", "65+");
    public static final List<Long> AGE_BUCKET_MIN = List.of(18L, 25L, 35L, 45L, 55L, 65L);
    /** Household income in USD (provisional); index = {@code contact_record.income_bucket}. */
    public static final List<String> INCOME_BUCKETS = List.of("Under 25k", "25k-50k", "50k-75k", "75k-100k", "100k-150k",
            "150k-200k", "200k-250k", "250k+");
    public static final List<Long> INCOME_BUCKET_MIN = List.of(0L, 25_000L, 50_000L, 75_000L, 100_000L, 150_000L, 200_000L,
            250_000L);
    /** Net worth in USD (provisional); index = {@code contact_record.net_worth_bucket}. */
    public static final List<String> NET_WORTH_BUCKETS = List.of("Under 50k", "50k-100k", "100k-250k", "250k-500k",
            "500k-1M", "1M-2.5M", "2.5M-5M", "5M+");
    public static final List<Long> NET_WORTH_BUCKET_MIN = List.of(0L, 50_000L, 100_000L, 250_000L, 500_000L, 1_000_000L,
            2_500_000L, 5_000_000L);
    /** {@code contact_record.seniority_level} values (domain.md §5.6). */
    public static final List<String> SENIORITY_LEVELS = List.of("cxo", "vp", "director", "manager", "staff");
    public static final List<String> TOPIC_TYPES = List.of("B2B", "B2C", "B2B2C");
    /** {@code contact_record.gender} values. */
    public static final List<String> GENDERS = List.of("female", "male", "unknown");
    /** {@code contact_record.department} values. */
    public static final List<String> DEPARTMENTS = List.of("Engineering", "Sales", "Marketing", "Finance", "Human Resources",
            "Operations", "Information Technology", "Legal", "Customer Success", "Product", "Procurement");

    private Upstream() {
    }

    public record Category(UUID id, String name, String description, String status, Instant createdAt, Instant updatedAt) { }

    public record Subcategory(UUID id, UUID categoryId, String name, String description, String status, Instant createdAt,
                              Instant updatedAt) { }

    /** {@code keywords} is comma-separated, as stored. */
    public record Topic(String id, int topicKey, UUID subcategoryId, String name, String description, String keywords,
                        String topicType, String status, Instant createdAt, Instant updatedAt) { }

    public record Company(long id, String name, String domain, String industry, Integer employeeBucket, Integer revenueBucket,
                          String country, String state) { }

    /** One contact record; a profile carries 1–4 of them. */
    public record ContactRecord(long id, long profileId, Long companyId, String firstName, String lastName, String gender,
                                Integer ageBucket, String jobTitle, String jobTitleNormalized, String department,
                                String seniorityLevel, Integer incomeBucket, Integer netWorthBucket, Boolean hasChildren,
                                Boolean isHomeowner, Boolean isMarried, String linkedinUrl, String personalEmail,
                                String currentBusinessEmail, String mobilePhone, String personalCity, String personalState,
                                String personalStateCode, String personalZip, String personalCountry) { }

    /** One (profile, topic, day) intent signal. */
    public record Signal(long profileId, int topicKey, LocalDate eventDay, int score, int impressions) { }
}
