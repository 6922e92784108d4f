package io.audiences.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.audiences.model.AudienceCreateRequestDto;
import io.audiences.model.AudienceTypeDto;
import io.audiences.model.ConditionRulesDto;
import io.audiences.model.FilterEntryDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.model.FilterOperatorDto;
import io.audiences.server.Application;
import io.audiences.server.audiences.Audience;
import io.audiences.server.builds.BuildStatus;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Principal;
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
 * {@code bin/bench [--db h2|postgres] [--signals N[,N...]] [--profiles N] [--reps N]
 * [--download [--inflate K] [--download-rounds N]] [--load]}:
 * generates a data set (profiles default to a tenth of the signals; 1.75 records per profile) into a fresh database
 * (with {@code --load} through NDJSON files and the loader, timed against {@code psql \copy}: {@link LoadBench}), then
 * times, in the same process and run,
 * <ul>
 *     <li>a selective intent build (20 topics, 14 days) and a broad persona build against the hand-written
 *     aggregate SQL that computes the same members, and</li>
 *     <li>with {@code --download}, a full CSV download of a broad audience through the API against the same rows
 *     read by plain JDBC (and, on PostgreSQL, {@code COPY ... TO STDOUT}), with gzip and as NDJSON, with the
 *     heap peak of this JVM (server and client), after the latency of a 100-contact sample of the same audience;
 *     {@code --inflate K} first copies the snapshot's rows K-fold in SQL (the heap run at 10M rows:
 *     {@code JAVA_OPTS=-Xmx128m}).</li>
 * </ul>
 * With {@code --login-flood} it loads no data and measures another tenant's latency under a flood of wrong
 * passwords instead ({@link LoginFlood}).
 * With {@code --get} it loads no data and measures the throughput of an authenticated
 * {@code GET /api/v1/audiences/{id}} instead ({@link GetThroughput}).
 * Several signal counts ({@code --signals 2000000,30000000}) run all of it once per size, each in a fresh database
 * (the generator writes straight into it: COPY on PostgreSQL), and end with the headline figures side by side.
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
    /** This run's headline figures by name, in the order measured, for the summary of a run over several sizes. */
    private final Map<String, String> figures = new LinkedHashMap<>();

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
        // --signals 2000000,30000000: the whole run once per size, each in a fresh database, then the figures side by side.
        List<String> sizes = List.of(options.getOrDefault("signals", "2000000").split(","));
        List<Map<String, String>> figures = new ArrayList<>();
        for (String size : sizes) {
            Map<String, String> sized = new HashMap<>(options);
            sized.put("signals", size.trim());
            Bench bench = new Bench(sized);
            bench.run();
            figures.add(bench.figures);
        }
        if (sizes.size() > 1) {
            summary(sizes, figures);
        }
    }

    /** Each figure of every size in one table, so the growth with the data set is visible. */
    private static void summary(List<String> sizes, List<Map<String, String>> figures) {
        System.out.printf("%n%-44s", "signals");
        sizes.forEach(size -> System.out.printf(" %22s", String.format("%,d", Long.parseLong(size.trim()))));
        System.out.println();
        for (String figure : figures.getFirst().keySet()) {
            System.out.printf("%-44s", figure);
            figures.forEach(f -> System.out.printf(" %22s", f.getOrDefault(figure, "-")));
            System.out.println();
        }
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
                        // Fast polling times builds closely; the GET and flood benchmarks want no background queries.
                        "audiences.builds.poll-interval",
                        options.containsKey("get") || options.containsKey("login-flood") ? "PT10S" : "PT0.02S",
                        "audiences.rate-limit.per-second", "100000",
                        "audiences.rate-limit.burst", "100000")))
                // --pool N: the server's connection pool (else application.yaml's audiences.db.pool-size).
                .addSource(ConfigSources.create(options.containsKey("pool")
                        ? Map.of("audiences.db.pool-size", options.get("pool")) : Map.of()))
                // --rate-batch N: how many tokens an instance spends before reporting to the shared bucket.
                // --address-free N: failed sign-ins per client address before the throttle answers 429 (login flood).
                .addSource(ConfigSources.create(options.containsKey("address-free")
                        ? Map.of("audiences.sign-in.address-free", options.get("address-free")) : Map.of()))
                // --hashing-threads N: password checks at once (with 1000 waiting allowed, roughly the server before the
                // bounded pool: every attempt hashed at once on its own thread).
                .addSource(ConfigSources.create(options.containsKey("hashing-threads")
                        ? Map.of("audiences.sign-in.hashing.threads", options.get("hashing-threads"),
                        "audiences.sign-in.hashing.queue", "1000") : Map.of()))
                .addSource(ConfigSources.create(options.containsKey("rate-batch")
                        ? Map.of("audiences.rate-limit.batch", options.get("rate-batch")) : Map.of()))
                .addSource(ConfigSources.classpath("application.yaml"))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
        app = Application.create(config, Clock.SYSTEM).start(config.get("server"));
        try {
            if (options.containsKey("login-flood")) {
                new LoginFlood(app, options).run();
                return;
            }
            if (options.containsKey("get")) {
                createTenant();
                new GetThroughput(app, config.get("server"), owner, project,
                        app.credentials().login(ownerEmail, OWNER_PASSWORD).token(), options, dataDir).run();
                return;
            }
            load(dataDir);
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

    /**
     * The data set: straight from the generator into the database (COPY on PostgreSQL), or with {@code --load} through
     * NDJSON files and the loader, timed against {@code psql \copy} of the same rows ({@link LoadBench}).
     */
    private void load(Path dataDir) throws Exception {
        int profiles = Integer.parseInt(options.getOrDefault("profiles", Long.toString(Math.max(1000, signals / 10))));
        data = new SyntheticData(new SyntheticData.Spec(7, profiles, 30, LocalDate.now(ZoneOffset.UTC), signals,
                SyntheticData.Spec.defaultTopics(profiles)));
        if (options.containsKey("load")) {
            new LoadBench(app, data, postgres, pgDatabase, dataDir).run();
            return;
        }
        long started = System.nanoTime();
        UpstreamWriter.Counts counts = new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 0, Progress.to(System.err));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%n%s, %,d signals, %,d records, %,d profiles, loaded in %.1f s (%,.0f signals/s)%n",
                postgres ? "PostgreSQL" : "H2", counts.signals(), counts.records(), profiles, seconds,
                counts.signals() / seconds);
        figures.put("load (generator -> database), s", String.format("%.0f", seconds));
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
        System.out.printf("%n%-34s %10s %10s %8s %10s %14s %10s%n", "build (median of " + reps + ")", "build ms", "SQL ms",
                "ratio", "write ms", "/(SQL+write)", "members");
        List<long[]> selective = new ArrayList<>();
        List<long[]> broad = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            // 20 topics spread over the popularity ranks, shifted per repetition so no engine replays a cached result.
            List<Integer> keys = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                keys.add(byPopularity[(i * byPopularity.length / 20 + rep) % byPopularity.length]);
            }
            long[] built = build("Selective " + rep, AudienceTypeDto.INTENTS, 14,
                    rule("INTENT", FilterOperatorDto.IN, keys.stream().map(ids::get).map(Object.class::cast).toList()));
            List<Object> window14 = params(keys, through.minusDays(13), through);
            long[] sql = timeSql(List.of(
                    new Query(AGGREGATE + "topic_key IN (" + marks(keys.size()) + ") AND event_day BETWEEN ? AND ? "
                            + "GROUP BY profile_id", window14),
                    new Query("SELECT r.id, r.profile_id FROM contact_record r WHERE r.profile_id IN (SELECT profile_id FROM "
                            + "intent_signal WHERE topic_key IN (" + marks(keys.size()) + ") AND event_day BETWEEN ? AND ?)",
                            window14)));
            selective.add(new long[] {built[0], sql[0], sql[1], timeWrite(built[1])});

            List<String> seniorities = rep % 2 == 0 ? List.of("staff", "manager", "director") : List.of("staff", "manager", "vp");
            long[] broadBuilt = build("Broad " + rep, AudienceTypeDto.ELIXIR, 7,
                    rule("seniority_level", FilterOperatorDto.IN, new ArrayList<>(seniorities)));
            long[] broadSql = timeSql(List.of(
                    new Query(AGGREGATE + "event_day BETWEEN ? AND ? GROUP BY profile_id",
                            List.of(through.minusDays(6), through)),
                    new Query("SELECT r.id, r.profile_id FROM contact_record r WHERE LOWER(r.seniority_level) IN (?, ?, ?)",
                            new ArrayList<>(seniorities))));
            broad.add(new long[] {broadBuilt[0], broadSql[0], broadSql[1], timeWrite(broadBuilt[1])});
        }
        report("selective intent (20 topics x 14 d)", selective);
        report("broad persona (3 seniorities, 7 d)", broad);
    }

    private void report(String label, List<long[]> runs) {
        long build = median(runs.stream().mapToLong(r -> r[0]).toArray());
        long sql = median(runs.stream().mapToLong(r -> r[1]).toArray());
        long write = median(runs.stream().mapToLong(r -> r[3]).toArray());
        figures.put(label + ", ms (x SQL)", String.format("%,d (%s)", build, sql < 0 ? "SQL timeout"
                : sql == 0 ? "-" : String.format("%.2fx", build / (double) sql)));
        System.out.printf("%-34s %10d %10s %8s %10d %14s %,10d%n", label, build, sql < 0 ? "timeout" : Long.toString(sql),
                sql <= 0 ? "-" : String.format("%.2f", build / (double) sql), write,
                sql < 0 ? "-" : String.format("%.2f", build / (double) (sql + write)), runs.getLast()[2]);
    }

    /** Creates an audience and returns its build time as the server measured it (claim to swap), and the build's id. */
    private long[] build(String name, AudienceTypeDto type, int window, FilterEntryDto rule) throws Exception {
        Audience created = app.audiences().create(owner, project.id(), new AudienceCreateRequestDto().name(name).type(type)
                        .intentWindowDays(window).filter(new FilterGroupDto().condition(FilterGroupDto.ConditionEnum.AND)
                                .rules(List.of(rule))), TransactionHook.none());
        while (true) {
            Audience a = app.audiences().get(owner, project.id(), created.id());
            if (a.progress().status() == BuildStatus.COMPLETED || a.progress().status() == BuildStatus.FAILED) {
                if (a.progress().status() == BuildStatus.FAILED) {
                    throw new IllegalStateException("build failed: " + a.progress().error());
                }
                try (Connection c = app.database().connection();
                     PreparedStatement ps = c.prepareStatement("SELECT started_at, finished_at FROM audience_build "
                             + "WHERE id = ?")) {
                    ps.setLong(1, a.counts().currentBuildId());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return new long[] {Duration.between(rs.getObject(1, OffsetDateTime.class),
                                rs.getObject(2, OffsetDateTime.class)).toMillis(), a.counts().currentBuildId()};
                    }
                }
            }
            Thread.sleep(5);
        }
    }

    /**
     * The floor under a build that the SQL baseline does not pay: writing its snapshot. Copies the build's members in
     * one statement under another build id (the same rows into the same table and primary key) and commits, timed;
     * then deletes the copy, untimed.
     */
    private long timeWrite(long buildId) throws SQLException {
        try (Connection c = app.database().connection()) {
            c.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audience_member (build_id, record_id, profile_id, "
                    + "intent_frequency, impression_count, last_signal_day) SELECT ?, record_id, profile_id, "
                    + "intent_frequency, impression_count, last_signal_day FROM audience_member WHERE build_id = ?")) {
                ps.setLong(1, -buildId);
                ps.setLong(2, buildId);
                ps.executeUpdate();
            }
            c.commit();
            long ms = (System.nanoTime() - started) / 1_000_000;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audience_member WHERE build_id = ?")) {
                ps.setLong(1, -buildId);
                ps.executeUpdate();
            }
            c.commit();
            return ms;
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
        Audience audience = app.audiences().create(owner, project.id(), new AudienceCreateRequestDto().name("Download")
                        .type(AudienceTypeDto.ELIXIR).filter(new FilterGroupDto().condition(FilterGroupDto.ConditionEnum.AND)
                                .rules(List.of(rule("seniority_level", FilterOperatorDto.NOTIN, new ArrayList<>(List.of("cxo")))))),
                TransactionHook.none());
        Audience done = app.audiences().get(owner, project.id(), audience.id());
        while (done.progress().status() != BuildStatus.COMPLETED) {
            Thread.sleep(50);
            done = app.audiences().get(owner, project.id(), audience.id());
        }
        int inflate = Integer.parseInt(options.getOrDefault("inflate", "1"));
        long rows = done.counts().recordCount();
        if (inflate > 1) {
            rows = inflate(done.counts().currentBuildId(), inflate);
        }
        CredentialService.NewClient client = app.credentials().createClient(owner, "bench", true, "read_write", TransactionHook.none());
        HttpClient http = HttpClient.newHttpClient();
        sample(http, audience, client);
        String path = "/api/v1/audiences/" + audience.id() + "/download?project_id=" + project.id();
        String select = "SELECT m.record_id, m.profile_id, r.first_name, r.last_name, r.gender, r.age_bucket, r.job_title, "
                + "r.job_title_normalized, r.department, r.seniority_level, r.personal_email, r.current_business_email, "
                + "r.linkedin_url, r.mobile_phone, r.personal_city, r.personal_state, r.personal_state_code, r.personal_zip, "
                + "r.personal_country, c.name, c.domain, c.industry, c.employee_bucket, c.revenue_bucket, m.intent_frequency, "
                + "m.impression_count FROM audience_member m JOIN contact_record r ON r.id = m.record_id "
                + "LEFT JOIN company c ON c.id = r.company_id WHERE m.build_id = " + done.counts().currentBuildId()
                + " ORDER BY m.record_id";
        int rounds = Integer.parseInt(options.getOrDefault("download-rounds", "4"));
        System.out.printf("%ndownload of %,d records, max heap %d MB (the API's figures include a raw-socket client in "
                + "this JVM; COPY's, the driver reading the same rows)%n", rows, Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("%-44s %8s %12s %10s %8s %12s%n", "download", "s", "rows/s", "MB/s", "MB", "heap peak MB");
        // API and baseline back to back, round after round, so that load from others on the machine hits both alike;
        // which goes first alternates (the first reads pages the second finds cached). The ratio reported is the
        // median of the rounds'.
        long[] percents = new long[rounds];
        for (int round = 1; round <= rounds; round++) {
            double copied = postgres && round % 2 == 0 ? copy(select, round) : 0;
            double csv = apiDownload("CSV through the API, round " + round, path, client, rows, "text/csv", false);
            if (postgres && round % 2 == 1) {
                copied = copy(select, round);
            }
            if (postgres) {
                percents[round - 1] = Math.round(100 * csv / copied);
                System.out.printf("%-44s %d %%%n", "  API / COPY, round " + round, percents[round - 1]);
            }
            figures.merge("CSV download, rows/s (rounds)", String.format("%,.0f", csv), (a, b) -> a + " " + b);
        }
        if (postgres) {
            System.out.printf("%-44s %d %%%n", "CSV through the API / COPY, median of rounds", median(percents));
            figures.put("CSV download / COPY, median of rounds", median(percents) + " %");
        }
        figures.put("CSV download gzip, rows/s", String.format("%,.0f",
                apiDownload("CSV through the API, gzip", path, client, rows, "text/csv", true)));
        figures.put("NDJSON download, rows/s", String.format("%,.0f",
                apiDownload("NDJSON through the API", path, client, rows, "application/x-ndjson", false)));
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
        System.out.printf("%-44s %8.2f %,12.0f%n", "plain JDBC read (no HTTP, no CSV quoting)", jdbcSeconds,
                jdbcRows / jdbcSeconds);
        figures.put("download records", String.format("%,d", rows));
    }

    /** The baseline: {@code COPY (select) TO STDOUT} read by the driver to nowhere; prints and returns its rows/s. */
    private double copy(String select, int round) throws SQLException {
        long started = System.nanoTime();
        long copied;
        try (Connection c = app.database().connection()) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            copied = copy.copyOut("COPY (" + select + ") TO STDOUT (FORMAT csv, HEADER)", OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%-44s %8.2f %,12.0f%n", "COPY ... TO STDOUT, round " + round, seconds, copied / seconds);
        return copied / seconds;
    }

    /**
     * One whole download through the API; prints and returns its rows/s, with the heap peak sampled meanwhile. The
     * client is a plain socket that reads the response to its end without decoding it (the bytes counted include the
     * chunk framing): java.net.http's client took more of the shared cores than the server's own work did.
     */
    /** The end of a chunked body: the last chunk's CRLF, the zero-size chunk, the empty trailer. */
    private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private double apiDownload(String label, String path, CredentialService.NewClient client, long rows, String accept,
                               boolean gzip) throws Exception {
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\nAccept-Encoding: "
                + (gzip ? "gzip" : "identity") + "\r\nX-Api-Key: " + client.key().apiKey() + "\r\nX-Api-Secret: "
                + client.key().apiSecret() + "\r\nConnection: close\r\n\r\n";
        System.gc();
        AtomicLong peak = new AtomicLong(usedHeap());
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(usedHeap(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long started = System.nanoTime();
        long bytes = 0;
        String head;
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1 << 16];
            int first = in.readNBytes(buffer, 0, 4096);
            head = new String(buffer, 0, first, StandardCharsets.ISO_8859_1);
            int headerEnd = head.indexOf("\r\n\r\n");
            bytes = first - (headerEnd < 0 ? 0 : headerEnd + 4);
            head = headerEnd < 0 ? head : head.substring(0, headerEnd);
            // Ends at the body's last chunk, not at the connection's end: the server may keep the connection open
            // after the response until its idle timeout (seen: up to 30 s counted as download time).
            byte[] tail = Arrays.copyOfRange(buffer, Math.max(0, first - LAST_CHUNK.length), first);
            for (int n; !Arrays.equals(tail, LAST_CHUNK) && (n = in.read(buffer)) > 0;) {
                bytes += n;
                byte[] joined = new byte[tail.length + Math.min(n, LAST_CHUNK.length)];
                System.arraycopy(tail, 0, joined, 0, tail.length);
                System.arraycopy(buffer, n - Math.min(n, LAST_CHUNK.length), joined, tail.length, Math.min(n, LAST_CHUNK.length));
                tail = Arrays.copyOfRange(joined, Math.max(0, joined.length - LAST_CHUNK.length), joined.length);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        sampler.interrupt();
        sampler.join();
        if (!head.startsWith("HTTP/1.1 200 ") || gzip != head.toLowerCase(Locale.ROOT).contains("\ncontent-encoding: gzip")) {
            throw new IllegalStateException(label + ": " + head);
        }
        System.out.printf("%-44s %8.2f %,12.0f %10.1f %8.1f %12d%n", label, seconds, rows / seconds, bytes / 1e6 / seconds,
                bytes / 1e6, peak.get() >> 20);
        figures.merge("download heap peak (server + client), MB", Long.toString(peak.get() >> 20),
                (a, b) -> Long.parseLong(a) >= Long.parseLong(b) ? a : b);
        return rows / seconds;
    }

    /**
     * Multiplies the snapshot in SQL for the heap run at 10M rows without generating that much upstream data: each
     * member's record is copied {@code factor - 1} times under new ids, and the copies join the same build.
     */
    private long inflate(long buildId, int factor) throws SQLException {
        long started = System.nanoTime();
        try (Connection c = app.database().connection(); Statement st = c.createStatement()) {
            for (int k = 1; k < factor; k++) {
                long offset = k * 1_000_000_000L;
                String columns = "profile_id, company_id, first_name, last_name, gender, age_bucket, job_title, "
                        + "job_title_normalized, department, seniority_level, linkedin_url, personal_email, "
                        + "current_business_email, mobile_phone, personal_city, personal_state, personal_state_code, "
                        + "personal_zip, personal_country";
                st.executeUpdate("INSERT INTO contact_record (id, " + columns + ") SELECT r.id + " + offset + ", "
                        + columns.replaceAll("(\\w+)", "r.$1") + " FROM contact_record r JOIN audience_member m "
                        + "ON m.record_id = r.id WHERE m.build_id = " + buildId + " AND r.id < 1000000000");
                st.executeUpdate("INSERT INTO audience_member (build_id, record_id, profile_id, intent_frequency, "
                        + "impression_count, last_signal_day) SELECT build_id, record_id + " + offset + ", profile_id, "
                        + "intent_frequency, impression_count, last_signal_day FROM audience_member WHERE build_id = "
                        + buildId + " AND record_id < 1000000000");
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM audience_member WHERE build_id = " + buildId)) {
                rs.next();
                System.out.printf("%nsnapshot inflated %dx in SQL to %,d rows in %.0f s%n", factor, rs.getLong(1),
                        (System.nanoTime() - started) / 1e9);
                return rs.getLong(1);
            }
        }
    }

    /** {@code GET /sample?limit=100} of the download's audience through the API: median and worst of 5 calls (each one
     * took 32-46 s on a 1.68M-member audience at 2M signals; cause not investigated). */
    private void sample(HttpClient http, Audience audience, CredentialService.NewClient client) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/audiences/"
                        + audience.id() + "/sample?limit=100&project_id=" + project.id()))
                .header("X-Api-Key", client.key().apiKey()).header("X-Api-Secret", client.key().apiSecret()).build();
        long[] micros = new long[5];
        for (int i = 0; i < micros.length; i++) {
            long started = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("sample answered " + response.statusCode() + ": " + response.body());
            }
            micros[i] = (System.nanoTime() - started) / 1000;
        }
        System.out.printf("%nsample of 100 contacts through the API (5 calls): median %.1f ms, max %.1f ms%n",
                median(micros) / 1000.0, Arrays.stream(micros).max().orElse(0) / 1000.0);
        figures.put("sample of 100 (median of 5), ms", String.format("%.1f", median(micros) / 1000.0));
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    // ----------------------------------------------------------------------------------------------- helpers

    static FilterEntryDto rule(String field, FilterOperatorDto operator, Object value) {
        return new FilterEntryDto().fieldName(field).conditionRules(new ConditionRulesDto().operator(operator).value(value));
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
