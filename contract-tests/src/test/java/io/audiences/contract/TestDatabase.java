package io.audiences.contract;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database per test class: H2 in memory, or a new database in the PostgreSQL server at
 * {@code AUDIENCES_TEST_PG_URL} (default 127.0.0.1:5432, user postgres). Without a reachable PostgreSQL
 * the PostgreSQL run is skipped, unless {@code AUDIENCES_REQUIRE_POSTGRES=true} (CI) makes it fail.
 */
public final class TestDatabase implements AutoCloseable {

    private static final String PG_SERVER = env("AUDIENCES_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String PG_USER = env("AUDIENCES_TEST_PG_USER", "postgres");
    private static final String PG_PASSWORD = env("AUDIENCES_TEST_PG_PASSWORD", "");

    private final String url;
    private final String user;
    private final String password;
    private final String pgDatabase;

    private TestDatabase(String url, String user, String password, String pgDatabase) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.pgDatabase = pgDatabase;
    }

    /** Which engine this run targets: {@code h2} or {@code postgres}. */
    public static String engine() {
        return System.getProperty("audiences.test.db", "h2").toLowerCase(Locale.ROOT);
    }

    public static boolean postgres() {
        return "postgres".equals(engine());
    }

    public static TestDatabase create() {
        String name = "t" + UUID.randomUUID().toString().replace("-", "");
        if (!postgres()) {
            return new TestDatabase("jdbc:h2:mem:" + name
                    + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "", null);
        }
        try (Connection admin = DriverManager.getConnection(PG_SERVER + "postgres", PG_USER, PG_PASSWORD);
             Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("AUDIENCES_REQUIRE_POSTGRES"))) {
                throw new IllegalStateException("PostgreSQL is required (AUDIENCES_REQUIRE_POSTGRES=true) but unreachable at "
                        + PG_SERVER, e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + PG_SERVER + ": PostgreSQL tests skipped");
        }
        return new TestDatabase(PG_SERVER + name, PG_USER, PG_PASSWORD, name);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public void close() {
        if (pgDatabase == null) {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("SHUTDOWN");
            } catch (SQLException ignored) {
                // already closed by the server
            }
            return;
        }
        try (Connection admin = DriverManager.getConnection(PG_SERVER + "postgres", PG_USER, PG_PASSWORD);
             Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + pgDatabase + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop test database " + pgDatabase, e);
        }
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
