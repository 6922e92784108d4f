package io.audiences.server.platform;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The connection pool, the migrations and the DB Client over them. H2 in file mode is the
 * default; any JDBC URL (PostgreSQL in production) replaces it by configuration.
 *
 * <p>Fails fast when the database is unreachable: while {@link DatabaseMonitor} sees it down, asking for a
 * connection fails at once instead of waiting for the pool's timeout, and {@link #isUnavailable} tells such
 * failures apart so they answer 503 {@code database_unavailable} rather than 500.
 */
public final class Database implements AutoCloseable {

    /** SQLStates of a database going away: PostgreSQL's admin or crash shutdown, and "cannot connect now" (starting up). */
    private static final Set<String> GOING_AWAY = Set.of("57P01", "57P02", "57P03");
    /** SQLStates of a statement that gave up waiting on another transaction (see {@link #isContended}). */
    private static final Set<String> CONTENDED = Set.of("HYT00", "40001", "40P01", "55P03");
    private static final Logger LOG = Logger.getLogger(Database.class.getName());
    /** The embedded database's file name in the data directory, without H2's extensions. */
    public static final String EMBEDDED_NAME = "audiences";

    private final HikariDataSource dataSource;
    private final DatabaseMonitor monitor;
    private final UnaryOperator<Connection> wrapper;
    private final DbClient client;
    private final boolean postgres;
    private final String schemaVersion;
    /** The transactions {@link #inTransaction} is running, with what to do once each has committed. */
    private final Map<DbExecute, List<Runnable>> afterCommit = new ConcurrentHashMap<>();

    private Database(HikariDataSource dataSource, DatabaseMonitor monitor, UnaryOperator<Connection> wrapper,
                     DbClient client, boolean postgres, String schemaVersion) {
        this.dataSource = dataSource;
        this.monitor = monitor;
        this.wrapper = wrapper;
        this.client = client;
        this.postgres = postgres;
        this.schemaVersion = schemaVersion;
    }

    /**
     * Opens the database described by {@code settings} and migrates it.
     *
     * @param settings resolved settings
     * @param dbConfig the {@code db} config node (statement options for DB Client)
     * @return the open database
     */
    public static Database open(Settings settings, Config dbConfig) {
        return open(settings, dbConfig, UnaryOperator.identity());
    }

    /**
     * Opens the database; every connection DB Client or {@link #connection()} hands out goes through {@code wrapper}
     * first (tracing's statement spans), the migrations' do not.
     */
    public static Database open(Settings settings, Config dbConfig, UnaryOperator<Connection> wrapper) {
        String url = settings.dbUrl().orElseGet(() -> defaultH2Url(settings.dataDir()));
        boolean postgres = url.startsWith("jdbc:postgresql:");
        if (postgres) {
            url = withPostgresDefaults(url);
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setUsername(settings.dbUser());
        hikari.setPassword(settings.dbPassword());
        hikari.setMaximumPoolSize(settings.dbPoolSize());
        hikari.setPoolName("audiences");
        // Short: a request waits at most this long for a connection before it answers 503 (pool exhausted, or a
        // database that died since the monitor's last check); once the monitor sees it down, nobody waits at all.
        hikari.setConnectionTimeout(settings.dbConnectionTimeout().toMillis());
        hikari.setValidationTimeout(Math.min(1000, settings.dbConnectionTimeout().toMillis()));
        // The same bound on lock waits on both databases (H2's own is 1-2 s, which a loaded machine's short
        // transactions can outlast; PostgreSQL's is none, so a request could wait on a row for ever): beyond it a
        // request answers 503 database_busy, having changed nothing.
        long lockMillis = settings.dbLockTimeout().toMillis();
        hikari.setConnectionInitSql(postgres ? "SET lock_timeout = " + lockMillis : "SET LOCK_TIMEOUT " + lockMillis);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            MigrateResult migrated = Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            DatabaseMonitor monitor = new DatabaseMonitor(hikari);
            JdbcConnectionPool pool = () -> {
                try {
                    return wrapper.apply(connection(monitor, dataSource));
                } catch (SQLException e) {
                    throw new DbClientException("No database connection", e);
                }
            };
            DbClient client = JdbcClientBuilder.create().config(dbConfig).connectionPool(pool).build();
            return new Database(dataSource, monitor, wrapper, client, postgres,
                    migrated.targetSchemaVersion != null ? migrated.targetSchemaVersion : migrated.initialSchemaVersion);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * WRITE_DELAY=0: each commit is written to the file before it returns (without it H2 loses up to a second of
     * acknowledged commits on kill -9). Recovering those commits after a crash also needs H2 2.4, not 2.5: see the
     * root pom and EmbeddedCrashImageTest. DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database
     * the moment SIGTERM arrives, failing the requests and builds that the shutdown drain lets finish; {@link #close}
     * closes it once they are done.
     */
    static String defaultH2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve(EMBEDDED_NAME)
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** UUIDs are bound as strings by DB Client; PostgreSQL must infer their type. Large reads stream in pages. */
    private static String withPostgresDefaults(String url) {
        StringBuilder sb = new StringBuilder(url);
        char sep = url.contains("?") ? '&' : '?';
        if (!url.contains("stringtype=")) {
            sb.append(sep).append("stringtype=unspecified");
            sep = '&';
        }
        if (!url.contains("defaultRowFetchSize=")) {
            sb.append(sep).append("defaultRowFetchSize=1000");
        }
        return sb.toString();
    }

    public DbClient client() {
        return client;
    }

    public boolean isPostgres() {
        return postgres;
    }

    /**
     * Reports the pool's usage and waits to {@code registry} with HikariCP's own Micrometer tracker
     * ({@code hikaricp_connections_active/idle/pending}, acquire and usage times, timeouts), under the pool name.
     */
    public void meterPool(MeterRegistry registry) {
        dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /** The pool itself, for libraries that take a DataSource (the shared rate-limit buckets). */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * A plain JDBC connection for work DB Client does not cover (bulk loads, streaming); DB Client gets its
     * connections here too. Fails at once while the database is known to be unreachable.
     */
    public Connection connection() throws SQLException {
        return wrapper.apply(connection(monitor, dataSource));
    }

    private static Connection connection(DatabaseMonitor monitor, HikariDataSource dataSource) throws SQLException {
        DatabaseMonitor.State state = monitor.state();
        if (!state.up()) {
            throw new SQLTransientConnectionException("The database is unreachable: " + state.error(), "08001");
        }
        return dataSource.getConnection();
    }

    /**
     * A connection of its own, outside the pool, for a session that must outlive any request (a {@code LISTEN});
     * {@code applicationName} names it in {@code pg_stat_activity}. The caller closes it.
     */
    public Connection dedicatedConnection(String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", dataSource.getUsername());
        if (dataSource.getPassword() != null) {
            props.setProperty("password", dataSource.getPassword());
        }
        props.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(dataSource.getJdbcUrl(), props);
    }

    /** Whether the database was reachable at the last background check (at most half a second old); never waits. */
    public boolean available() {
        return monitor.state().up();
    }

    /** Why the database is unreachable, when it is. */
    public Optional<String> unavailableReason() {
        DatabaseMonitor.State state = monitor.state();
        return state.up() ? Optional.empty() : Optional.of(state.error());
    }

    /** The schema version the migrations brought the database to when it was opened. */
    public String schemaVersion() {
        return schemaVersion;
    }

    /**
     * Runs {@code work} in one transaction and commits it; on failure rolls back without masking the cause
     * (DB Client closes the connection itself when a statement fails, so rollback may fail too).
     */
    public <T> T inTransaction(TransactionWork<T> work) {
        DbTransaction tx = client.transaction();
        List<Runnable> committed = new ArrayList<>();
        afterCommit.put(tx, committed);
        T result;
        try {
            result = work.run(tx);
            tx.commit();
        } catch (RuntimeException e) {
            try {
                tx.rollback();
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            afterCommit.remove(tx);
        }
        committed.forEach(Runnable::run);
        return result;
    }

    /**
     * Runs {@code action} once {@code tx} (a transaction of {@link #inTransaction}, on this thread) has committed, before
     * {@code inTransaction} returns; not at all if it rolls back. For effects outside the database that must not be
     * seen before the change is (dropping cached state that the change makes stale).
     */
    public void afterCommit(DbExecute tx, Runnable action) {
        List<Runnable> actions = afterCommit.get(tx);
        if (actions == null) {
            throw new IllegalStateException("afterCommit needs a transaction of Database.inTransaction");
        }
        actions.add(action);
    }

    /**
     * Whether {@code e} was caused by the database being unreachable rather than by the request: no connection
     * within the timeout, a connection that broke, or the database shutting down. Classified the way JDBC does
     * (connection exception classes, SQLState class 08) plus PostgreSQL's shutdown states, never by message text.
     */
    public static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || GOING_AWAY.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code e} was caused by waiting on another transaction's lock: H2's lock timeout (HYT00) or deadlock
     * (40001), PostgreSQL's deadlock (40P01), serialization failure (40001) or lock_not_available (55P03). The
     * statement changed nothing and the same request may well pass a moment later.
     */
    public static boolean isContended(Throwable e) {
        return sqlState(e).filter(CONTENDED::contains).isPresent();
    }

    /** Whether {@code e} was caused by a unique-constraint violation (same SQLState on H2 and PostgreSQL). */
    public static boolean isUniqueViolation(Throwable e) {
        return sqlState(e).filter("23505"::equals).isPresent();
    }

    private static Optional<String> sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /**
     * Closes the pool. Hikari would wait up to 10 s for connections still in use, trying to abort them (H2 cannot);
     * a build handed back at shutdown, or a request the drain had to cut, may still hold one. They get a second,
     * then the pool is left to the process exit (for H2 like a kill, which it survives: commits are on disk).
     */
    @Override
    public void close() {
        monitor.close();
        client.close();
        HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (pool != null && pool.getActiveConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (pool != null && pool.getActiveConnections() > 0) {
            LOG.info(() -> pool.getActiveConnections() + " connection(s) still in use: left to close with the process");
            return;
        }
        dataSource.close();
    }

    /** Work inside a transaction. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(DbTransaction tx);
    }
}
