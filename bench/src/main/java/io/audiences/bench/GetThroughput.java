package io.audiences.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import io.audiences.model.AudienceCreateRequestDto;
import io.audiences.model.AudienceTypeDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.model.FilterOperatorDto;
import io.audiences.server.Application;
import io.audiences.server.audiences.Audience;
import io.audiences.server.builds.BuildStatus;
import io.audiences.server.auth.JwtCodec;
import io.audiences.server.auth.RateLimiter;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.QueuedLogHandler;
import io.audiences.server.platform.SafeLogFormatter;
import io.audiences.server.platform.SecretHash;
import io.audiences.server.platform.Settings;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.tenancy.Project;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.bucket4j.TimeMeter;
import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code bin/bench --db postgres --get [--pool N] [--seconds N] [--warmup N] [--rounds N] [--concurrency N]
 * [--client raw|jdk] [--rate-batch N]}:
 * the throughput of an authenticated {@code GET /api/v1/audiences/{id}} (with a user JWT, and with an API key pair)
 * against a bare Helidon endpoint in the same JVM that reads the same row by primary key through its own HikariCP
 * pool (the server's size: {@code --pool}, else {@code audiences.db.pool-size}) and plain JDBC and writes it as hand-built JSON. Both servers
 * use the same {@code server} configuration (tcp-no-delay, limits) and are driven by the same closed-loop load
 * generator: a fixed number of keep-alive connections, each sending its next request when the previous answer is
 * read; every answer must be a 200.
 * Rounds alternate baseline / JWT / key and the median round is reported, to cancel drift on a shared machine.
 * <p>
 * The credential check is then timed alone, in-process: {@link CredentialService#bearer} and
 * {@link CredentialService#apiKey} (what the access filter calls, database lookups included) driven by the same
 * number of concurrent callers for the same time. Its share of a request is (time per check) / (time per request)
 * at equal concurrency, i.e. API requests/s divided by checks/s. The crypto alone (HS256 verify, SHA-256 of key and
 * secret) is timed single-threaded.
 * <p>
 * The rate limit: on PostgreSQL, how many times the server reported to the tenant's shared bucket during the load
 * (rows written to {@code rate_limit_bucket}, from PostgreSQL's statistics) per API request, and the limiter alone,
 * in-process with the same number of callers on a bucket it never exhausts, as a share of a request.
 */
final class GetThroughput {

    private static final Logger ACCESS = Logger.getLogger("io.audiences.access");

    private final Application app;
    private final Config serverConfig;
    private final Principal owner;
    private final Project project;
    private final String jwt;
    private final Path dataDir;
    private final Duration seconds;
    private final Duration warmup;
    private final int rounds;
    private final int concurrency;
    private final boolean rawClient;

    GetThroughput(Application app, Config serverConfig, Principal owner, Project project, String jwt,
                  Map<String, String> options, Path dataDir) {
        this.app = app;
        this.serverConfig = serverConfig;
        this.owner = owner;
        this.project = project;
        this.jwt = jwt;
        this.dataDir = dataDir;
        this.seconds = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "10")));
        this.warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "5")));
        this.rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        this.concurrency = Integer.parseInt(options.getOrDefault("concurrency", "32"));
        this.rawClient = !"jdk".equals(options.getOrDefault("client", "raw"));
    }

    /** One endpoint as the load generator sees it. */
    private record Target(String label, int port, String path, Map<String, String> headers) { }

    void run() throws Exception {
        // The access log is part of a request's cost: keep writing it, through the server's handler, but to a file
        // rather than the console.
        QueuedLogHandler accessLog = new QueuedLogHandler(Files.newOutputStream(dataDir.resolve("access.log")),
                new SafeLogFormatter(), true);
        ACCESS.addHandler(accessLog);
        ACCESS.setUseParentHandlers(false);

        Audience audience = app.audiences().create(owner, project.id(), new AudienceCreateRequestDto().name("Get")
                        .type(AudienceTypeDto.ELIXIR).filter(new FilterGroupDto().condition(FilterGroupDto.ConditionEnum.AND)
                                .rules(List.of(Bench.rule("seniority_level", FilterOperatorDto.IN,
                                        new ArrayList<>(List.of("staff", "manager")))))),
                TransactionHook.none());
        awaitBuild(audience.id());
        CredentialService.NewKey key = app.credentials().createClient(owner, "bench-get", true, "read_write", TransactionHook.none()).key();

        try (HikariDataSource pool = baselinePool()) {
            WebServer baseline = WebServer.builder().config(serverConfig)
                    .routing(r -> r.get("/audiences/{id}", (req, res) -> audienceRow(pool, req, res)))
                    .build().start();
            try {
                String apiPath = "/api/v1/audiences/" + audience.id();
                List<Target> targets = List.of(
                        new Target("baseline (Helidon + JDBC, 1 row)", baseline.port(), "/audiences/" + audience.id(),
                                Map.of()),
                        new Target("API, user JWT", app.port(), apiPath,
                                Map.of("Authorization", "Bearer " + jwt, "X-Project-Id", project.id().toString())),
                        new Target("API, API key pair", app.port(), apiPath,
                                Map.of("X-Api-Key", key.apiKey(), "X-Api-Secret", key.apiSecret(),
                                        "X-Project-Id", project.id().toString())));
                measure(targets, key, audience.id());
            } finally {
                baseline.stop();
            }
        } finally {
            ACCESS.removeHandler(accessLog);
            ACCESS.setUseParentHandlers(true);
            accessLog.close();
        }
    }

    private void measure(List<Target> targets, CredentialService.NewKey key, long audienceId) throws Exception {
        HttpClient probe = HttpClient.newHttpClient();
        for (Target t : targets) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.port() + t.path()));
            t.headers().forEach(b::header);
            HttpResponse<byte[]> response = probe.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(t.label() + " answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            System.out.printf("%-34s %d, %d B body%n", t.label(), response.statusCode(), response.body().length);
        }
        System.out.printf("%nload: %d keep-alive connections, %s client, warm-up %d s per endpoint, %d rounds of %d s, "
                        + "%d cores%n", concurrency, rawClient ? "raw-socket HTTP/1.1" : "java.net.http.HttpClient",
                warmup.toSeconds(), rounds, seconds.toSeconds(), Runtime.getRuntime().availableProcessors());
        long reportsBefore = bucketWrites();
        // Every API request served (warm-up included) went through the rate limiter; the first target is the baseline.
        long apiRequests = 0;
        for (int i = 0; i < targets.size(); i++) {
            apiRequests += i == 0 ? 0 : drive(targets.get(i), warmup).served();
        }
        long[][] rps = new long[targets.size()][rounds];
        long errors = 0;
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
            for (int i = 0; i < targets.size(); i++) {
                Result r = drive(targets.get(i), seconds);
                apiRequests += i == 0 ? 0 : r.served();
                rps[i][round] = Math.round(r.perSecond());
                errors += r.errors();
                line.append(String.format("  %,8d", rps[i][round]));
            }
            System.out.println(line + " req/s" + (errors > 0 ? " (errors so far: " + errors + ")" : ""));
        }
        long base = Bench.median(rps[0]);
        System.out.printf("%n%-34s %10s %8s%n", "median of " + rounds + " rounds", "req/s", "ratio");
        for (int i = 0; i < targets.size(); i++) {
            long median = Bench.median(rps[i]);
            System.out.printf("%-34s %,10d %7.0f %%%n", targets.get(i).label(), median, 100.0 * median / base);
        }
        System.out.printf("errors (non-200 or broken connections): %d%n", errors);

        long jwtRps = Bench.median(rps[1]);
        long keyRps = Bench.median(rps[2]);
        System.out.printf("%ncredential check alone, in-process, %d concurrent callers for %d s (database lookups "
                + "included):%n", concurrency, seconds.toSeconds());
        double bearer = checksPerSecond(() -> app.credentials().bearer(jwt));
        double apiKey = checksPerSecond(() -> app.credentials().apiKey(key.apiKey(), Optional.of(key.apiSecret())));
        System.out.printf("%-34s %,10.0f checks/s -> %4.1f %% of a request (%,.0f checks/s vs %,d req/s)%n",
                "bearer(JWT)", bearer, 100.0 * jwtRps / bearer, bearer, jwtRps);
        System.out.printf("%-34s %,10.0f checks/s -> %4.1f %% of a request (%,.0f checks/s vs %,d req/s)%n",
                "apiKey(key, secret)", apiKey, 100.0 * keyRps / apiKey, apiKey, keyRps);
        cryptoAlone(key, jwtRps, keyRps);
        breakdown(key, audienceId);
        rateLimit(reportsBefore, apiRequests, jwtRps);
    }

    /**
     * What the rate limiter cost. Read after the in-process phases above, which do not use it: by then PostgreSQL
     * has published the statistics of every connection that reported during the load.
     */
    private void rateLimit(long reportsBefore, long apiRequests, long jwtRps) throws InterruptedException {
        Settings settings = app.settings();
        int batch = settings.rateLimitBatch().orElse(RateLimiter.Policy.defaultBatch(settings.rateLimitBurst()));
        if (app.database().isPostgres()) {
            long reports = bucketWrites() - reportsBefore;
            System.out.printf("rate limit, shared bucket in PostgreSQL (batch %,d, sync interval %d ms): %,d reports to the "
                            + "database for %,d API requests (%.5f per request)%n", batch,
                    settings.rateLimitSyncInterval().toMillis(), reports, apiRequests, (double) reports / apiRequests);
        }
        // A bucket the callers never exhaust, so every call takes the path of an allowed request; the server's
        // limiter, and a bucket in memory (what every instance had before buckets were shared) for comparison.
        RateLimiter.Policy unlimited = new RateLimiter.Policy(1_000_000_000, 1_000_000_000, batch,
                settings.rateLimitSyncInterval());
        Map<String, RateLimiter> limiters = new LinkedHashMap<>();
        if (app.database().isPostgres()) {
            limiters.put("rate limiter alone (shared)", RateLimiter.forDatabase(unlimited, app.database()));
        }
        limiters.put("rate limiter alone (in memory)", RateLimiter.inProcess(unlimited, TimeMeter.SYSTEM_MILLISECONDS));
        for (Map.Entry<String, RateLimiter> limiter : limiters.entrySet()) {
            UUID tenant = UUID.randomUUID();
            double acquires = checksPerSecond(() -> limiter.getValue().acquire(tenant));
            System.out.printf("%-34s %,10.0f acquires/s -> %4.1f %% of a request (%,.0f acquires/s vs %,d req/s)%n",
                    limiter.getKey(), acquires, 100.0 * jwtRps / acquires, acquires, jwtRps);
        }
    }

    /** Rows PostgreSQL has counted as written to the shared rate-limit buckets (0 on H2: they live in memory). */
    private long bucketWrites() {
        if (!app.database().isPostgres()) {
            return 0;
        }
        try (Connection c = app.database().connection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd), 0) "
                     + "FROM pg_stat_user_tables WHERE relname = 'rate_limit_bucket'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where an API request's time goes, one caller at a time (no contention): the steps with a database read. */
    private void breakdown(CredentialService.NewKey key, long audienceId) {
        System.out.printf("one caller, us per call: bearer(JWT) %.0f, apiKey %.0f, version read (what a GET does once "
                        + "the version's rendering is cached) %.0f, whole audience read with project check (a GET's first "
                        + "read of a version) %.0f, the same join by plain JDBC %.0f, same row by plain JDBC %.0f%n",
                microsPerCall(() -> app.credentials().bearer(jwt)),
                microsPerCall(() -> app.credentials().apiKey(key.apiKey(), Optional.of(key.apiSecret()))),
                microsPerCall(() -> app.audiences().knownVersion(owner, project.id(), audienceId).orElseThrow()),
                microsPerCall(() -> app.audiences().get(owner, project.id(), audienceId)),
                // What DB Client costs over JDBC, apart from the project check's join.
                microsPerCall(() -> plainJdbc("SELECT a.* FROM audience a JOIN project p ON p.id = a.project_id "
                        + "JOIN organization_closure c ON c.descendant_id = p.organization_id "
                        + "WHERE c.ancestor_id = ? AND a.project_id = ? AND a.id = ?", owner.organizationId(), project.id(),
                        audienceId)),
                microsPerCall(() -> plainJdbc("SELECT * FROM audience WHERE id = ?", audienceId)));
    }

    /** Runs {@code sql} on a pooled connection and reads every column of its first row. */
    private boolean plainJdbc(String sql, Object... params) {
        try (Connection c = app.database().connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                boolean found = rs.next();
                for (int i = 1; found && i <= rs.getMetaData().getColumnCount(); i++) {
                    rs.getObject(i);
                }
                return found;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CPU-only part of each check, single-threaded, against the time of one request per core. */
    private void cryptoAlone(CredentialService.NewKey key, long jwtRps, long keyRps) {
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        JwtCodec codec = new JwtCodec(secret, Duration.ofHours(1), Clock.SYSTEM);
        String token = codec.issue(owner, 0);
        String keyHash = SecretHash.sha256(key.apiSecret());
        double verifyMicros = microsPerCall(() -> codec.verify(token));
        double hashMicros = microsPerCall(() -> {
            SecretHash.sha256(key.apiKey());
            return SecretHash.matches(key.apiSecret(), keyHash);
        });
        // A request costs cores / (req/s) of CPU when the machine is saturated.
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("crypto alone, 1 thread: HS256 parse+verify %.1f us (%.1f %% of %.0f us CPU per JWT request); "
                        + "SHA-256 of key + secret compare %.1f us (%.1f %% of %.0f us per key request)%n",
                verifyMicros, 100 * verifyMicros / (cores * 1e6 / jwtRps), cores * 1e6 / jwtRps,
                hashMicros, 100 * hashMicros / (cores * 1e6 / keyRps), cores * 1e6 / keyRps);
    }

    /** Mean microseconds per call on one thread, after as long a warm-up; at least 1,000 calls each. */
    private static double microsPerCall(java.util.function.Supplier<Object> call) {
        Object sink = null;
        for (int phase = 0; phase < 2; phase++) {
            long started = System.nanoTime();
            long calls = 0;
            while (calls < 1000 || System.nanoTime() - started < 1_000_000_000L) {
                sink = call.get();
                calls++;
            }
            if (phase == 1) {
                double micros = (System.nanoTime() - started) / 1e3 / calls;
                return sink == null ? -1 : micros;
            }
        }
        throw new AssertionError();
    }

    private double checksPerSecond(Runnable check) throws InterruptedException {
        LongAdder done = new LongAdder();
        long deadline = System.nanoTime() + warmup.toNanos() + seconds.toNanos();
        long[] window = new long[2];
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                executor.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        check.run();
                        done.increment();
                    }
                });
            }
            Thread.sleep(warmup);
            window[0] = done.sum();
            long started = System.nanoTime();
            Thread.sleep(seconds);
            window[1] = done.sum();
            return (window[1] - window[0]) / ((System.nanoTime() - started) / 1e9);
        }
    }

    // ------------------------------------------------------------------------------------------- baseline

    private HikariDataSource baselinePool() throws SQLException {
        HikariConfig hikari = new HikariConfig();
        try (Connection c = app.database().connection()) {
            hikari.setJdbcUrl(c.getMetaData().getURL());
            hikari.setUsername(c.getMetaData().getUserName());
        }
        hikari.setPassword(app.settings().dbPassword());
        hikari.setMaximumPoolSize(app.settings().dbPoolSize());
        hikari.setPoolName("bench-baseline");
        return new HikariDataSource(hikari);
    }

    /** The bare endpoint: one primary-key read, every column written as a JSON string. */
    private static void audienceRow(HikariDataSource pool, ServerRequest req, ServerResponse res) {
        long id = Long.parseLong(req.path().pathParameters().get("id"));
        StringBuilder json = new StringBuilder(1024).append('{');
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM audience WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    res.status(Status.NOT_FOUND_404).send();
                    return;
                }
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String value = rs.getString(i);
                    json.append(i > 1 ? ",\"" : "\"").append(md.getColumnLabel(i)).append("\":");
                    if (value == null) {
                        json.append("null");
                    } else {
                        quote(json, value);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(json.append('}').toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void quote(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                json.append('\\').append(ch);
            } else if (ch < 0x20) {
                json.append(String.format("\\u%04x", (int) ch));
            } else {
                json.append(ch);
            }
        }
        json.append('"');
    }

    private void awaitBuild(long id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            BuildStatus status = app.audiences().get(owner, project.id(), id).progress().status();
            if (status == BuildStatus.COMPLETED || status == BuildStatus.FAILED) {
                return;
            }
            Thread.sleep(100);
        }
    }

    // ------------------------------------------------------------------------------------------ load generator

    /** Answers counted in a timed window. */
    private record Result(double perSecond, long errors, long served) { }

    /**
     * Closed loop: {@code concurrency} keep-alive connections, each sending its next request when the previous
     * answer has been read in full. Only 200s count; anything else, or a broken connection, is an error.
     */
    private Result drive(Target target, Duration duration) throws InterruptedException {
        LongAdder ok = new LongAdder();
        LongAdder errors = new LongAdder();
        CountDownLatch connected = new CountDownLatch(concurrency);
        HttpClient client = rawClient ? null : HttpClient.newBuilder()
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        for (int i = 0; i < concurrency; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                if (rawClient) {
                    rawLoop(target, ok, errors, connected, running);
                } else {
                    jdkLoop(client, target, ok, errors, connected, running);
                }
            }));
        }
        connected.await();
        long okBefore = ok.sum();
        long errorsBefore = errors.sum();
        long started = System.nanoTime();
        Thread.sleep(duration);
        long okAfter = ok.sum();
        long errorsAfter = errors.sum();
        double elapsed = (System.nanoTime() - started) / 1e9;
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        if (client != null) {
            client.close();
        }
        return new Result((okAfter - okBefore) / elapsed, errorsAfter - errorsBefore, ok.sum());
    }

    private static void jdkLoop(HttpClient client, Target target, LongAdder ok, LongAdder errors, CountDownLatch connected,
                                AtomicBoolean running) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + target.path()));
        target.headers().forEach(b::header);
        HttpRequest request = b.build();
        connected.countDown();
        while (running.get()) {
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                (response.statusCode() == 200 ? ok : errors).increment();
            } catch (IOException e) {
                errors.increment();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void rawLoop(Target target, LongAdder ok, LongAdder errors, CountDownLatch connected, AtomicBoolean running) {
        StringBuilder head = new StringBuilder("GET ").append(target.path()).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(target.port()).append("\r\nAccept: application/json\r\n");
        target.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        byte[] request = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        boolean counted = false;
        while (running.get()) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress("127.0.0.1", target.port()));
                if (!counted) {
                    connected.countDown();
                    counted = true;
                }
                OutputStream out = socket.getOutputStream();
                ResponseReader in = new ResponseReader(socket.getInputStream());
                while (running.get()) {
                    out.write(request);
                    out.flush();
                    (in.read() == 200 ? ok : errors).increment();
                }
            } catch (IOException e) {
                errors.increment();
            }
        }
    }

    /** Reads one HTTP/1.1 response at a time from a keep-alive connection: status, headers, body (skipped). */
    private static final class ResponseReader {

        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int lim;

        ResponseReader(InputStream in) {
            this.in = in;
        }

        int read() throws IOException {
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.1 ")) {
                throw new IOException("Not an HTTP/1.1 response: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(h.substring(colon + 1).trim());
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = h.substring(colon + 1).trim().equalsIgnoreCase("chunked");
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                     size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are ignored
                }
            } else if (length > 0) {
                skip(length);
            } else if (length < 0 && status != 204 && status != 304) {
                throw new IOException("Response without a length");
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                if (pos == lim) {
                    fill();
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int end = sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r' ? sb.length() - 1 : sb.length();
                    sb.setLength(end);
                    return sb.toString();
                }
                sb.append((char) b);
            }
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                if (pos == lim) {
                    fill();
                }
                int step = (int) Math.min(n, lim - pos);
                pos += step;
                n -= step;
            }
        }

        private void fill() throws IOException {
            lim = in.read(buf);
            pos = 0;
            if (lim <= 0) {
                lim = 0;
                throw new IOException("Connection closed");
            }
        }
    }
}
