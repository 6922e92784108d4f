package io.audiences.server.platform;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/**
 * The connection pool, the migrations and the DB Client over them. H2 in file mode is the
 * default; any JDBC URL (PostgreSQL in production) replaces it by configuration.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final DbClient client;
    private final boolean postgres;

    private Database(HikariDataSource dataSource, DbClient client, boolean postgres) {
        this.dataSource = dataSource;
        this.client = client;
        this.postgres = postgres;
    }

    /**
     * Opens the database described by {@code settings} and migrates it.
     *
     * @param settings resolved settings
     * @param dbConfig the {@code db} config node (statement options for DB Client)
     * @return the open database
     */
    public static Database open(Settings settings, Config dbConfig) {
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
        hikari.setConnectionTimeout(10_000);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            JdbcConnectionPool pool = () -> {
                try {
                    return dataSource.getConnection();
                } catch (SQLException e) {
                    throw new DbClientException("No database connection", e);
                }
            };
            DbClient client = JdbcClientBuilder.create().config(dbConfig).connectionPool(pool).build();
            return new Database(dataSource, client, postgres);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * WRITE_DELAY=0: each commit is written to the file before it returns (without it H2 loses up to a second of
     * acknowledged commits on kill -9). Recovering those commits after a crash also needs H2 2.4, not 2.5: see the
     * root pom and EmbeddedCrashImageTest.
     */
    static String defaultH2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("audiences")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
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

    /** A plain JDBC connection for work DB Client does not cover (bulk loads, streaming). */
    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Whether the database answers a trivial query. */
    public boolean ping() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Runs {@code work} in one transaction and commits it; on failure rolls back without masking the cause
     * (DB Client closes the connection itself when a statement fails, so rollback may fail too).
     */
    public <T> T inTransaction(TransactionWork<T> work) {
        DbTransaction tx = client.transaction();
        try {
            T result = work.run(tx);
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            try {
                tx.rollback();
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
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

    @Override
    public void close() {
        client.close();
        dataSource.close();
    }

    /** Work inside a transaction. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(DbTransaction tx);
    }
}
