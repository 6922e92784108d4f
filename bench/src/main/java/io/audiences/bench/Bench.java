package io.audiences.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.audiences.model.AudienceCreateRequest;
import io.audiences.model.AudienceType;
import io.audiences.model.ConditionRules;
import io.audiences.model.FilterEntry;
import io.audiences.model.FilterGroup;
import io.audiences.model.FilterOperator;
import io.audiences.server.Application;
import io.audiences.server.audiences.Audience;
import io.audiences.server.auth.Principal;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.UpstreamWriter;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code bin/bench [--db h2|postgres] [--signals N] [--profiles N] [--reps N] [--download]}: generates a data set
 * (profiles default to a tenth of the signals; 1.75 records per profile) into a fresh
 * database, then times, in the same process and run,
 * <ul>
 *     <li>a selective intent build (20 topics, 14 days) and a broad persona build against the hand-written
 *     aggregate SQL that computes the same members, and</li>
 *     <li>with {@code --download}, a full CSV download of a broad audience through the API against the same rows
 *     read by plain JDBC (and, on PostgreSQL, {@code COPY ... TO STDOUT}), with the server's heap.</li>
 * </ul>
 * With {@code --get} it loads no data and measures the throughput of an authenticated
 * {@code GET /api/v1/audiences/{id}} instead ({@link GetThroughput}).
 * Figures are reported as ratios to the baseline of the same run; the machine is shared and noisy.
 */
public final class Bench {

    private static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String OWNER_PASSWORD = "bench-password-1";

    private final Map<String, String> options;
    private final boolean postgres;
    private final long signals;
    private final int reps;
    private String dbUrl;
    private String pgDatabase;
    private Application app;
    private Principal owner;
    private String ownerEmail;
    private Project project;
    private SyntheticData data;

    private Bench(Map<String, String> options) {
        this.options = options;
        this.postgres = "postgres".equals(options.getOrDefault("db", "h2"));
        this.signals = Long.parseLong(options.getOrDefault("signals", "2000000"));
        this.reps = Integer.parseInt(options.getOrDefault("reps", "3"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument " + args[i]);
            }
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        new Bench(options).run();
    }

    private void run() throws Exception {
        Path dataDir = Files.createTempDirectory("audiences-bench");
        if (postgres) {
            pgDatabase = "bench_" + UUID.randomUUID().toString().replace("-", "");
            try (Connection admin = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", pgPassword());
                 Statement st = admin.createStatement()) {
                st.execute("CREATE DATABASE " + pgDatabase);
            }
            dbUrl = PG_SERVER + pgDatabase;
        } else {
            dbUrl = "jdbc:h2:file:" + dataDir.resolve("bench").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
        }
        Config config = Config.builder()
                .addSource(ConfigSources.create(Map.of(
                        "server.port", "0", "server.host", "127.0.0.1",
                        "audiences.data-dir", dataDir.toString(),
                        "audiences.db.url", dbUrl,
                        "audiences.db.user", postgres ? "postgres" : "sa",
                        "audiences.db.password", postgres ? pgPassword() : "",
                        "audiences.builds.workers", "1",
                        // Fast polling times builds closely; the GET benchmark wants no background queries.
                        "audiences.builds.poll-interval", options.containsKey("get") ? "PT10S" : "PT0.02S",
                        "audiences.rate-limit.per-second", "100000",
                        "audiences.rate-limit.burst", "100000")))
                .addSource(ConfigSources.create(Map.of("audiences.db.pool-size", options.getOrDefault("pool", "10"))))
                .addSource(ConfigSources.classpath("application.yaml"))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
        app = Application.create(config, Clock.SYSTEM).start(config.get("server"));
        try {
            if (options.containsKey("get")) {
                createTenant();
                new GetThroughput(app, config.get("server"), owner, project,
                        app.credentials().login(ownerEmail, OWNER_PASSWORD).token(), options, dataDir).run();
                return;
            }
            load();
            createTenant();
            if (reps > 0) {
                builds();
            }
            if (options.containsKey("download")) {
                download();
            }
        } finally {
            app.close();
            if (pgDatabase != null) {
                try (Connection admin = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", pgPassword());
                     Statement st = admin.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + pgDatabase + " WITH (FORCE)");
                }
            }
        }
    }

    private static String pgPassword() {
        return Optional.ofNullable(System.getenv("AUDIENCES_TEST_PG_PASSWORD")).orElse("");
    }

    private void load() throws SQLException {
        int profiles = Integer.parseInt(options.getOrDefault("profiles", Long.toString(Math.max(1000, signals / 10))));
        data = new SyntheticData(new SyntheticData.Spec(7, profiles, 30, LocalDate.now(ZoneOffset.UTC), signals,
                SyntheticData.Spec.defaultTopics(profiles)));
        long started = System.nanoTime();
        UpstreamWriter.Counts counts = new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 0, Progress.to(System.err));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%n%s, %,d signals, %,d records, %,d profiles, loaded in %.1f s (%,.0f signals/s)%n",
                postgres ? "PostgreSQL" : "H2", counts.signals(), counts.records(), profiles, seconds,
                counts.signals() / seconds);
    }

    /** An organization with one project and one user, the owner of everything the benchmark creates. */
    private void createTenant() {
        Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, "Bench", Optional.empty()));
        project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), "Bench"));
        ownerEmail = "bench-" + UUID.randomUUID() + "@example.com";
        CredentialService.NewUser user = app.database().inTransaction(tx -> app.credentials().createUser(tx, org.id(),
                ownerEmail, "Bench", "User", Optional.of(OWNER_PASSWORD)));
        owner = new Principal(org.id(), Principal.Kind.USER, user.user().id());
    }

    // ------------------------------------------------------------------------------------------------ builds

    private void builds() throws Exception {
        int[] byPopularity = data.topicKeysByPopularity();
        Map<Integer, String> ids = new HashMap<>();
        data.topics().forEach(t -> ids.put(t.topicKey(), t.id()));
        LocalDate through = data.spec().endDay();
        System.out.printf("%n%-34s %12s %12s %8s %10s%n", "build (median of " + reps + ")", "build ms", "SQL ms", "ratio",
                "members");
        List<long[]> selective = new ArrayList<>();
        List<long[]> broad = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            // 20 topics spread over the popularity ranks, shifted per repetition so no engine replays a cached result.
            List<Integer> keys = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                keys.add(byPopularity[(i * byPopularity.length / 20 + rep) % byPopularity.length]);
            }
            long buildMs = build("Selective " + rep, AudienceType.INTENTS, 14,
                    rule("INTENT", FilterOperator.IN, keys.stream().map(ids::get).map(Object.class::cast).toList()));
            List<Object> window14 = params(keys, through.minusDays(13), through);
            long[] sql = timeSql(List.of(
                    new Query(AGGREGATE + "topic_key IN (" + marks(keys.size()) + ") AND event_day BETWEEN ? AND ? "
                            + "GROUP BY profile_id", window14),
                    new Query("SELECT r.id, r.profile_id FROM contact_record r WHERE r.profile_id IN (SELECT profile_id FROM "
                            + "intent_signal WHERE topic_key IN (" + marks(keys.size()) + ") AND event_day BETWEEN ? AND ?)",
                            window14)));
            selective.add(new long[] {buildMs, sql[0], sql[1]});

            List<String> seniorities = rep % 2 == 0 ? List.of("staff", "manager", "director") : List.of("staff", "manager", "vp");
            long broadMs = build("Broad " + rep, AudienceType.ELIXIR, 7,
                    rule("seniority_level", FilterOperator.IN, new ArrayList<>(seniorities)));
            long[] broadSql = timeSql(List.of(
                    new Query(AGGREGATE + "event_day BETWEEN ? AND ? GROUP BY profile_id",
                            List.of(through.minusDays(6), through)),
                    new Query("SELECT r.id, r.profile_id FROM contact_record r LEFT JOIN company c ON c.id = r.company_id "
                            + "WHERE LOWER(r.seniority_level) IN (?, ?, ?)", new ArrayList<>(seniorities))));
            broad.add(new long[] {broadMs, broadSql[0], broadSql[1]});
        }
        report("selective intent (20 topics x 14 d)", selective);
        report("broad persona (3 seniorities, 7 d)", broad);
    }

    private static void report(String label, List<long[]> runs) {
        long build = median(runs.stream().mapToLong(r -> r[0]).toArray());
        long sql = median(runs.stream().mapToLong(r -> r[1]).toArray());
        System.out.printf("%-34s %12d %12s %8s %,10d%n", label, build, sql < 0 ? "timeout" : Long.toString(sql),
                sql <= 0 ? "-" : String.format("%.2f", build / (double) sql), runs.getLast()[2]);
    }

    /** Creates an audience and returns its build time as the server measured it (claim to swap). */
    private long build(String name, AudienceType type, int window, FilterEntry rule) throws Exception {
        Audience created = app.audiences().create(owner, project.id(), new AudienceCreateRequest().name(name).type(type)
                        .intentWindowDays(window).filter(new FilterGroup().condition(FilterGroup.ConditionEnum.AND)
                                .rules(List.of(rule))), TransactionHook.none());
        while (true) {
            Audience a = app.audiences().get(owner, project.id(), created.id());
            if ("Completed".equals(a.status()) || "Failed".equals(a.status())) {
                if ("Failed".equals(a.status())) {
                    throw new IllegalStateException("build failed: " + a.error());
                }
                try (Connection c = app.database().connection();
                     PreparedStatement ps = c.prepareStatement("SELECT started_at, finished_at FROM audience_build "
                             + "WHERE id = ?")) {
                    ps.setLong(1, a.currentBuildId());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return Duration.between(rs.getObject(1, OffsetDateTime.class),
                                rs.getObject(2, OffsetDateTime.class)).toMillis();
                    }
                }
            }
            Thread.sleep(5);
        }
    }

    /** The per-profile aggregate of the window's signals: the brief's query, the bulk of any build. */
    private static final String AGGREGATE = "SELECT profile_id, COUNT(DISTINCT event_day) AS freq, SUM(impressions) AS imp, "
            + "MAX(event_day) AS last_day FROM intent_signal WHERE ";

    /** One hand-written statement of a baseline. */
    private record Query(String sql, List<Object> params) { }

    /**
     * The baseline: the hand-written statements that compute the same members (the signal aggregate, then the
     * matching records), each result read to the end by the client. Returns {ms, rows of the last statement}.
     */
    private long[] timeSql(List<Query> queries) throws SQLException {
        long started = System.nanoTime();
        long rows = 0;
        try (Connection c = app.database().connection()) {
            for (Query q : queries) {
                try (PreparedStatement ps = c.prepareStatement(q.sql())) {
                    ps.setQueryTimeout(300);
                    for (int i = 0; i < q.params().size(); i++) {
                        ps.setObject(i + 1, q.params().get(i));
                    }
                    rows = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                        }
                    }
                } catch (SQLTimeoutException e) {
                    return new long[] {-1, 0};
                }
            }
        }
        return new long[] {(System.nanoTime() - started) / 1_000_000, rows};
    }

    // ---------------------------------------------------------------------------------------------- download

    private void download() throws Exception {
        Audience audience = app.audiences().create(owner, project.id(), new AudienceCreateRequest().name("Download")
                        .type(AudienceType.ELIXIR).filter(new FilterGroup().condition(FilterGroup.ConditionEnum.AND)
                                .rules(List.of(rule("seniority_level", FilterOperator.NOTIN, new ArrayList<>(List.of("cxo")))))),
                TransactionHook.none());
        Audience done = app.audiences().get(owner, project.id(), audience.id());
        while (!"Completed".equals(done.status())) {
            Thread.sleep(50);
            done = app.audiences().get(owner, project.id(), audience.id());
        }
        CredentialService.NewClient client = app.credentials().createClient(owner, "bench", true, TransactionHook.none());
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/audiences/"
                        + audience.id() + "/download?project_id=" + project.id()))
                .header("X-Api-Key", client.key().apiKey()).header("X-Api-Secret", client.key().apiSecret()).build();
        System.gc();
        long heapBefore = usedHeap();
        long started = System.nanoTime();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long bytes = 0;
        long peakHeap = heapBefore;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) > 0;) {
                bytes += n;
                if ((bytes & ((1 << 24) - 1)) < n) {
                    peakHeap = Math.max(peakHeap, usedHeap());
                }
            }
        }
        double apiSeconds = (System.nanoTime() - started) / 1e9;
        long rows = done.recordCount();
        System.out.printf("%ndownload of %,d records (%,.1f MB CSV) through the API: %.2f s, %,.0f rows/s, %.1f MB/s; "
                        + "heap in use before %d MB, sampled peak %d MB%n", rows, bytes / 1e6, apiSeconds, rows / apiSeconds,
                bytes / 1e6 / apiSeconds, heapBefore >> 20, peakHeap >> 20);
        String select = "SELECT m.record_id, m.profile_id, r.first_name, r.last_name, r.gender, r.age_bucket, r.job_title, "
                + "r.job_title_normalized, r.department, r.seniority_level, r.personal_email, r.current_business_email, "
                + "r.linkedin_url, r.mobile_phone, r.personal_city, r.personal_state, r.personal_state_code, r.personal_zip, "
                + "r.personal_country, c.name, c.domain, c.industry, c.employee_bucket, c.revenue_bucket, m.intent_frequency, "
                + "m.impression_count FROM audience_member m JOIN contact_record r ON r.id = m.record_id "
                + "LEFT JOIN company c ON c.id = r.company_id WHERE m.build_id = " + done.currentBuildId()
                + " ORDER BY m.record_id";
        long jdbcStarted = System.nanoTime();
        long jdbcRows = 0;
        try (Connection c = app.database().connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(1000);
                try (ResultSet rs = st.executeQuery(select)) {
                    StringBuilder line = new StringBuilder();
                    while (rs.next()) {
                        line.setLength(0);
                        for (int i = 1; i <= 26; i++) {
                            line.append(rs.getString(i)).append(',');
                        }
                        jdbcRows++;
                    }
                }
            }
            c.rollback();
        }
        double jdbcSeconds = (System.nanoTime() - jdbcStarted) / 1e9;
        System.out.printf("same rows by plain JDBC (no HTTP, no CSV quoting): %.2f s, %,.0f rows/s -> API at %.0f %% of it%n",
                jdbcSeconds, jdbcRows / jdbcSeconds, 100 * (rows / apiSeconds) / (jdbcRows / jdbcSeconds));
        if (postgres) {
            long copyStarted = System.nanoTime();
            long copied;
            try (Connection c = app.database().connection()) {
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                copied = copy.copyOut("COPY (" + select + ") TO STDOUT (FORMAT csv, HEADER)", OutputStream.nullOutputStream());
            }
            double copySeconds = (System.nanoTime() - copyStarted) / 1e9;
            System.out.printf("same rows by COPY ... TO STDOUT: %.2f s, %,.0f rows/s -> API at %.0f %% of COPY%n", copySeconds,
                    copied / copySeconds, 100 * (rows / apiSeconds) / (copied / copySeconds));
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    // ----------------------------------------------------------------------------------------------- helpers

    static FilterEntry rule(String field, FilterOperator operator, Object value) {
        return new FilterEntry().fieldName(field).conditionRules(new ConditionRules().operator(operator).value(value));
    }

    private static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static List<Object> params(List<Integer> keys, LocalDate from, LocalDate to) {
        List<Object> p = new ArrayList<>(keys);
        p.add(from);
        p.add(to);
        return p;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
