package io.audiences.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.audiences.server.Application;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Clock;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.UpstreamWriter;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged server jar run as a child process (so tests can SIGKILL it or cap its heap) against a fresh test
 * database: an H2 file in a temporary data directory, or a new PostgreSQL database. Tests prepare data in-process
 * with {@link #config} first, then start the child. On PostgreSQL, {@link #peer} gives further instances of the same
 * deployment: same database, same JWT secret, their own port and data directory.
 */
final class PackagedServer implements AutoCloseable {

    private static final Path JAR = Path.of("..", "src", "target", "audiences-server.jar");

    private final TestDatabase database;
    private final boolean ownsDatabase;
    private final Path dataDir;
    private final String dbUrl;
    private final String jwtSecret;
    private Process process;
    private int port;

    private PackagedServer(TestDatabase database, boolean ownsDatabase, Path dataDir, String dbUrl, String jwtSecret) {
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.dataDir = dataDir;
        this.dbUrl = dbUrl;
        this.jwtSecret = jwtSecret;
    }

    static PackagedServer create(String name) throws IOException {
        return create(name, "");
    }

    /** With {@code h2Settings} (";NAME=value...") appended to the embedded default's URL; ignored on PostgreSQL. */
    static PackagedServer create(String name, String h2Settings) throws IOException {
        TestDatabase database = TestDatabase.create();
        Path dataDir = Files.createTempDirectory("audiences-" + name);
        // H2 must be a file the child process can open once this JVM has closed it; the options are the default URL's.
        String url = TestDatabase.postgres() ? database.url() : "jdbc:h2:file:" + dataDir.resolve("audiences").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
                + h2Settings;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new PackagedServer(database, true, dataDir, url, Base64.getEncoder().encodeToString(secret));
    }

    /** Another instance on this one's PostgreSQL database and JWT secret; the database stays this one's to drop. */
    PackagedServer peer(String name) throws IOException {
        if (!TestDatabase.postgres()) {
            throw new IllegalStateException("instances share a database only on PostgreSQL (H2 files are single-process)");
        }
        return new PackagedServer(database, false, Files.createTempDirectory("audiences-" + name), dbUrl, jwtSecret);
    }

    /** Configuration for an in-process Application on the same database and data directory. */
    Config config(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "server.port", "0", "server.host", "127.0.0.1",
                "audiences.data-dir", dataDir.toString(),
                "audiences.db.url", dbUrl,
                "audiences.db.user", database.user(),
                "audiences.db.password", database.password(),
                "audiences.auth.jwt-secret", jwtSecret));
        values.putAll(extra);
        return Config.builder()
                .addSource(ConfigSources.create(values))
                .addSource(ConfigSources.classpath("application.yaml"))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
    }

    /** What {@link #prepare} created: a project, an API key pair for it, and a user of its organization. */
    record Tenant(Project project, String apiKey, String apiSecret, String email, String password) { }

    /**
     * Writes {@code data} as the upstream data set and creates a tenant (organization, project, API client, user),
     * in-process, before the child starts.
     */
    Tenant prepare(SyntheticData data, String name) throws SQLException {
        String email = name.toLowerCase(Locale.ROOT) + "-" + System.nanoTime() + "@example.com";
        String password = "password-" + System.nanoTime();
        try (Application app = Application.create(config(Map.of()), Clock.SYSTEM)) {
            new UpstreamWriter(app.database(), Clock.SYSTEM).write(data, 0, Progress.silent());
            Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, name, Optional.empty()));
            Project project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), name + " project"));
            app.database().inTransaction(tx -> app.credentials().createUser(tx, org.id(), email, name, "User",
                    Optional.of(password)));
            CredentialService.NewClient client = app.database().inTransaction(tx ->
                    app.credentials().createClient(tx, org.id(), name.toLowerCase(Locale.ROOT), true, "read_write"));
            return new Tenant(project, client.key().apiKey(), client.key().apiSecret(), email, password);
        }
    }

    /** Starts the jar with these JVM options and waits until /health answers 200. */
    void start(String... jvmOptions) throws IOException, InterruptedException {
        start(Map.of(), jvmOptions);
    }

    /** Starts the jar with these extra environment variables and JVM options and waits until /health answers 200. */
    void start(Map<String, String> environment, String... jvmOptions) throws IOException, InterruptedException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-Daudiences.demo.enabled=false", "-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server-" + System.nanoTime() + ".log").toFile());
        pb.environment().putAll(Map.of("SERVER_PORT", Integer.toString(port), "AUDIENCES_DATA_DIR", dataDir.toString(),
                "AUDIENCES_DB_URL", dbUrl, "AUDIENCES_DB_USER", database.user(), "AUDIENCES_DB_PASSWORD", database.password(),
                "AUDIENCES_JWT_SECRET", jwtSecret));
        pb.environment().putAll(environment);
        process = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("the server exited while starting:\n" + logs());
            }
            try (Socket probe = new Socket("127.0.0.1", port)) {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("the server did not start:\n" + logs());
    }

    int port() {
        return port;
    }

    /** The process id of the running instance (build workers name it in their lease). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM: a graceful shutdown. */
    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** Sends SIGTERM and returns at once. */
    void terminate() {
        process.destroy();
    }

    /** Waits up to {@code timeout} for the process to exit; whether it did. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The instance's data directory (AUDIENCES_DATA_DIR). */
    Path dataDir() {
        return dataDir;
    }

    TestDatabase database() {
        return database;
    }

    String dbUrl() {
        return dbUrl;
    }

    /** Everything the child processes printed. */
    String logs() {
        try (Stream<Path> files = Files.list(dataDir)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                sb.append(Files.readString(f));
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            process.onExit().join();
        }
        if (ownsDatabase) {
            database.close();
        }
        TestFiles.deleteRecursively(dataDir);
    }
}
