package io.audiences.server.upstream;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The upstream file format: a directory of NDJSON files (UTF-8, one JSON object per line, keys = column names,
 * absent or null = NULL, timestamps ISO-8601 UTC, dates {@code YYYY-MM-DD}):
 * <pre>
 * manifest.json                  what produced the set (informative; not needed to load)
 * categories.ndjson              id, name, description, status, created_at, updated_at
 * subcategories.ndjson           id, category_id, name, description, status, created_at, updated_at
 * topics.ndjson                  id, topic_key, subcategory_id, name, description, keywords, topic_type, status, created_at, updated_at
 * companies.ndjson               id, name, domain, industry, employee_bucket, revenue_bucket, country, state
 * records.ndjson                 id, profile_id, company_id, first_name, ... personal_country (every contact_record column)
 * signals-YYYY-MM-DD.ndjson      profile_id, topic_key, score, impressions (the day is the file's)
 * </pre>
 * Loading upserts the entity files and replaces each day's signals in one transaction per day.
 */
public final class NdjsonFiles {

    public static final String CATEGORIES = "categories.ndjson";
    public static final String SUBCATEGORIES = "subcategories.ndjson";
    public static final String TOPICS = "topics.ndjson";
    public static final String COMPANIES = "companies.ndjson";
    public static final String RECORDS = "records.ndjson";
    public static final String MANIFEST = "manifest.json";
    private static final Pattern SIGNAL_FILE = Pattern.compile("signals-(\\d{4}-\\d{2}-\\d{2})\\.ndjson");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NdjsonFiles() {
    }

    public static Path signalFile(Path dir, LocalDate day) {
        return dir.resolve("signals-" + day + ".ndjson");
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes a generated set; every day of the window gets its signal file. Returns the number of signals. */
    public static long write(SyntheticData data, Path dir, Progress progress) throws IOException {
        Files.createDirectories(dir);
        SyntheticData.Spec spec = data.spec();
        ObjectNode manifest = MAPPER.createObjectNode()
                .put("format", "audiences-upstream-ndjson/1")
                .put("seed", spec.seed())
                .put("profiles", spec.profiles())
                .put("topics", spec.topics())
                .put("signals_target", spec.signals())
                .put("first_day", spec.firstDay().toString())
                .put("end_day", spec.endDay().toString());
        Files.writeString(dir.resolve(MANIFEST), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
        lines(dir.resolve(CATEGORIES), data.categories().iterator(), c -> node()
                .put("id", c.id().toString()).put("name", c.name()).put("description", c.description())
                .put("status", c.status()).put("created_at", str(c.createdAt())).put("updated_at", str(c.updatedAt())));
        lines(dir.resolve(SUBCATEGORIES), data.subcategories().iterator(), s -> node()
                .put("id", s.id().toString()).put("category_id", s.categoryId().toString()).put("name", s.name())
                .put("description", s.description()).put("status", s.status()).put("created_at", str(s.createdAt()))
                .put("updated_at", str(s.updatedAt())));
        lines(dir.resolve(TOPICS), data.topics().iterator(), t -> node()
                .put("id", t.id()).put("topic_key", t.topicKey()).put("subcategory_id", t.subcategoryId().toString())
                .put("name", t.name()).put("description", t.description()).put("keywords", t.keywords())
                .put("topic_type", t.topicType()).put("status", t.status()).put("created_at", str(t.createdAt()))
                .put("updated_at", str(t.updatedAt())));
        lines(dir.resolve(COMPANIES), data.companies().iterator(), c -> node()
                .put("id", c.id()).put("name", c.name()).put("domain", c.domain()).put("industry", c.industry())
                .put("employee_bucket", c.employeeBucket()).put("revenue_bucket", c.revenueBucket())
                .put("country", c.country()).put("state", c.state()));
        progress.phase("records", data.expectedRecords());
        lines(dir.resolve(RECORDS), counting(data.records(), progress), NdjsonFiles::recordNode);
        progress.phase("signals", spec.signals());
        long signals = 0;
        for (LocalDate day : data.days()) {
            signals += writeSignals(signalFile(dir, day), data.signals(day), progress);
        }
        return signals;
    }

    private static ObjectNode node() {
        return MAPPER.createObjectNode();
    }

    private static String str(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static ObjectNode recordNode(Upstream.ContactRecord r) {
        return node().put("id", r.id()).put("profile_id", r.profileId()).put("company_id", r.companyId())
                .put("first_name", r.firstName()).put("last_name", r.lastName()).put("gender", r.gender())
                .put("age_bucket", r.ageBucket()).put("job_title", r.jobTitle())
                .put("job_title_normalized", r.jobTitleNormalized()).put("department", r.department())
                .put("seniority_level", r.seniorityLevel()).put("income_bucket", r.incomeBucket())
                .put("net_worth_bucket", r.netWorthBucket()).put("has_children", r.hasChildren())
                .put("is_homeowner", r.isHomeowner()).put("is_married", r.isMarried()).put("linkedin_url", r.linkedinUrl())
                .put("personal_email", r.personalEmail()).put("current_business_email", r.currentBusinessEmail())
                .put("mobile_phone", r.mobilePhone()).put("personal_city", r.personalCity())
                .put("personal_state", r.personalState()).put("personal_state_code", r.personalStateCode())
                .put("personal_zip", r.personalZip()).put("personal_country", r.personalCountry());
    }

    private static <T> Iterator<T> counting(Iterator<T> rows, Progress progress) {
        return new Iterator<>() {
            private int pending;

            @Override
            public boolean hasNext() {
                boolean more = rows.hasNext();
                if (!more || pending >= 10_000) {
                    progress.advance(pending);
                    pending = 0;
                }
                return more;
            }

            @Override
            public T next() {
                pending++;
                return rows.next();
            }
        };
    }

    /** One object per line; null properties are left out. */
    private static <T> void lines(Path file, Iterator<T> rows, Function<T, ObjectNode> toNode) throws IOException {
        try (Writer out = writer(file)) {
            while (rows.hasNext()) {
                ObjectNode node = toNode.apply(rows.next());
                List<String> nulls = new ArrayList<>();
                node.properties().forEach(e -> {
                    if (e.getValue().isNull()) {
                        nulls.add(e.getKey());
                    }
                });
                node.remove(nulls);
                out.write(MAPPER.writeValueAsString(node));
                out.write('\n');
            }
        }
    }

    private static long writeSignals(Path file, Iterator<Upstream.Signal> signals, Progress progress) throws IOException {
        long n = 0;
        StringBuilder sb = new StringBuilder(64);
        try (Writer out = writer(file)) {
            while (signals.hasNext()) {
                Upstream.Signal s = signals.next();
                sb.setLength(0);
                sb.append("{\"profile_id\":").append(s.profileId()).append(",\"topic_key\":").append(s.topicKey())
                        .append(",\"score\":").append(s.score()).append(",\"impressions\":").append(s.impressions())
                        .append("}\n");
                out.append(sb);
                if (++n % 10_000 == 0) {
                    progress.advance(10_000);
                }
            }
        }
        progress.advance(n % 10_000);
        return n;
    }

    private static Writer writer(Path file) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16),
                StandardCharsets.UTF_8), 1 << 16);
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** The days that have a signal file in {@code dir}, oldest first. */
    public static List<LocalDate> signalDays(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> SIGNAL_FILE.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).map(m -> LocalDate.parse(m.group(1))).sorted().toList();
        }
    }

    /**
     * Loads a directory: upserts the entity files present, then replaces every day with a signal file up to
     * {@code through} (newer days stay unlanded), one transaction per day. With {@code day}, loads only that day.
     */
    public static UpstreamWriter.Counts load(UpstreamWriter writer, Path dir, Optional<LocalDate> day,
                                             Optional<LocalDate> through, Progress progress) throws IOException, SQLException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("Not a directory: " + dir);
        }
        if (day.isPresent()) {
            Path file = signalFile(dir, day.get());
            if (!Files.isRegularFile(file)) {
                throw new IOException("No signal file for " + day.get() + ": " + file);
            }
            progress.phase("signals " + day.get(), 0);
            long n = writer.replaceDay(day.get(), readSignals(file, day.get()), progress);
            return new UpstreamWriter.Counts(0, 0, 0, 0, 0, n, List.of(day.get()));
        }
        long categories = upsertFile(dir.resolve(CATEGORIES), NdjsonFiles::category, writer::upsertCategories);
        long subcategories = upsertFile(dir.resolve(SUBCATEGORIES), NdjsonFiles::subcategory, writer::upsertSubcategories);
        long topics = upsertFile(dir.resolve(TOPICS), NdjsonFiles::topic, writer::upsertTopics);
        long companies = upsertFile(dir.resolve(COMPANIES), NdjsonFiles::company, writer::upsertCompanies);
        progress.phase("records", 0);
        long records = upsertFile(dir.resolve(RECORDS), NdjsonFiles::parseRecord, rows -> writer.upsertRecords(rows, progress));
        List<LocalDate> days = signalDays(dir).stream().filter(d -> through.isEmpty() || !d.isAfter(through.get())).toList();
        progress.phase("signals", 0);
        long signals = writer.loadDays(days, d -> readSignals(signalFile(dir, d), d), progress, false);
        return new UpstreamWriter.Counts(categories, subcategories, topics, companies, records, signals, days);
    }

    @FunctionalInterface
    private interface Sink<T> {
        long accept(Iterator<T> rows) throws SQLException;
    }

    private static <T> long upsertFile(Path file, Function<JsonNode, T> parse, Sink<T> sink) throws IOException, SQLException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try (InputStream in = Files.newInputStream(file);
             MappingIterator<JsonNode> nodes = MAPPER.readerFor(JsonNode.class).readValues(in)) {
            Iterator<T> rows = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return nodes.hasNextValue();
                }

                @Override
                public T next() {
                    return parse.apply(nodes.nextValue());
                }
            };
            return sink.accept(rows);
        }
    }

    /**
     * Streams a day's signal file. The parser is closed when the iterator is exhausted; a malformed line fails the
     * load (and rolls the day back).
     */
    public static Iterator<Upstream.Signal> readSignals(Path file, LocalDate day) {
        JsonParser parser;
        try {
            parser = MAPPER.createParser(Files.newInputStream(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Iterator<>() {
            private Upstream.Signal next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                JsonToken token = parser.nextToken();
                if (token == null) {
                    done = true;
                    parser.close();
                    return false;
                }
                if (token != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException(file + ": expected an object per line, found " + token);
                }
                long profile = -1;
                int topic = -1;
                int score = -1;
                int impressions = -1;
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    switch (name) {
                        case "profile_id" -> profile = parser.getLongValue();
                        case "topic_key" -> topic = parser.getIntValue();
                        case "score" -> score = parser.getIntValue();
                        case "impressions" -> impressions = parser.getIntValue();
                        case "event_day" -> {
                            if (!day.toString().equals(parser.getString())) {
                                throw new IllegalArgumentException(file + ": a signal of " + parser.getString());
                            }
                        }
                        default -> parser.skipChildren();
                    }
                }
                if (profile < 0 || topic < 0 || score < 0 || score > 100 || impressions < 0) {
                    throw new IllegalArgumentException(file + ": signal without valid profile_id, topic_key, score "
                            + "(0-100) and impressions near line " + parser.currentLocation().getLineNr());
                }
                next = new Upstream.Signal(profile, topic, day, score, impressions);
                return true;
            }

            @Override
            public Upstream.Signal next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Upstream.Signal s = next;
                next = null;
                return s;
            }
        };
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static Long longValue(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asLong();
    }

    private static Integer intValue(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static Boolean bool(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asBoolean();
    }

    private static Instant instant(JsonNode n, String name) {
        String s = text(n, name);
        return s == null ? null : Instant.parse(s);
    }

    private static UUID uuid(JsonNode n, String name) {
        String s = text(n, name);
        return s == null ? null : UUID.fromString(s);
    }

    private static <T> T required(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }

    static Upstream.Category category(JsonNode n) {
        return new Upstream.Category(required(uuid(n, "id"), "id"), required(text(n, "name"), "name"), text(n, "description"),
                required(text(n, "status"), "status"), required(instant(n, "created_at"), "created_at"),
                instant(n, "updated_at"));
    }

    static Upstream.Subcategory subcategory(JsonNode n) {
        return new Upstream.Subcategory(required(uuid(n, "id"), "id"), required(uuid(n, "category_id"), "category_id"),
                required(text(n, "name"), "name"), text(n, "description"), required(text(n, "status"), "status"),
                required(instant(n, "created_at"), "created_at"), instant(n, "updated_at"));
    }

    static Upstream.Topic topic(JsonNode n) {
        return new Upstream.Topic(required(text(n, "id"), "id"), required(intValue(n, "topic_key"), "topic_key"),
                required(uuid(n, "subcategory_id"), "subcategory_id"), required(text(n, "name"), "name"),
                text(n, "description"), text(n, "keywords"), required(text(n, "topic_type"), "topic_type"),
                required(text(n, "status"), "status"), required(instant(n, "created_at"), "created_at"),
                instant(n, "updated_at"));
    }

    static Upstream.Company company(JsonNode n) {
        return new Upstream.Company(required(longValue(n, "id"), "id"), required(text(n, "name"), "name"), text(n, "domain"),
                text(n, "industry"), intValue(n, "employee_bucket"), intValue(n, "revenue_bucket"), text(n, "country"),
                text(n, "state"));
    }

    static Upstream.ContactRecord parseRecord(JsonNode n) {
        return new Upstream.ContactRecord(required(longValue(n, "id"), "id"), required(longValue(n, "profile_id"), "profile_id"),
                longValue(n, "company_id"), text(n, "first_name"), text(n, "last_name"), text(n, "gender"),
                intValue(n, "age_bucket"), text(n, "job_title"), text(n, "job_title_normalized"), text(n, "department"),
                text(n, "seniority_level"), intValue(n, "income_bucket"), intValue(n, "net_worth_bucket"),
                bool(n, "has_children"), bool(n, "is_homeowner"), bool(n, "is_married"), text(n, "linkedin_url"),
                text(n, "personal_email"), text(n, "current_business_email"), text(n, "mobile_phone"),
                text(n, "personal_city"), text(n, "personal_state"), text(n, "personal_state_code"),
                text(n, "personal_zip"), text(n, "personal_country"));
    }
}
