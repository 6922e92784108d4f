package io.audiences.server.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Knows whether the database is reachable without anyone waiting for it: a background check every
 * {@link #INTERVAL} on a one-connection pool of its own, so a busy main pool never reads as an outage and a dead
 * database never blocks a caller. Health probes and the fail-fast gate of {@link Database} read the last result.
 * Two failed checks in a row make an outage (one can be a connection that was slow to open on a busy machine);
 * one good check ends it.
 */
final class DatabaseMonitor implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(500);

    private static final Logger LOG = Logger.getLogger(DatabaseMonitor.class.getName());

    /** The last check's outcome; {@code error} says why the database is down. */
    record State(boolean up, String error, long sinceNanos) { }

    private final HikariDataSource pool;
    private final int validationSeconds;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("database-monitor").daemon().factory());
    private volatile State state = new State(true, null, System.nanoTime());
    private int failuresInARow;

    /**
     * @param connection the main pool's settings (URL, credentials, timeouts); the monitor copies them into a pool of one
     */
    DatabaseMonitor(HikariConfig connection) {
        HikariConfig config = new HikariConfig();
        connection.copyStateTo(config);
        config.setPoolName(connection.getPoolName() + "-monitor");
        config.setMaximumPoolSize(1);
        // Hikari waits out its whole timeout even when the database refuses at once: keep a check short.
        config.setConnectionTimeout(Math.min(500, connection.getConnectionTimeout()));
        // Created once the database has just been migrated; should it vanish right then, the first check says so.
        config.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(config);
        this.validationSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(connection.getConnectionTimeout()));
        timer.scheduleWithFixedDelay(this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    State state() {
        return state;
    }

    private void check() {
        String error;
        try (Connection c = pool.getConnection()) {
            error = c.isValid(validationSeconds) ? null : "the connection did not answer within " + validationSeconds + " s";
        } catch (SQLException | RuntimeException e) {
            error = rootMessage(e);
        }
        State before = state;
        failuresInARow = error == null ? 0 : failuresInARow + 1;
        if (error != null && failuresInARow < 2) {
            return;
        }
        if (error == null && !before.up()) {
            LOG.info(() -> "The database is reachable again after " + (System.nanoTime() - before.sinceNanos()) / 1_000_000
                    + " ms");
            state = new State(true, null, System.nanoTime());
        } else if (error != null && before.up()) {
            String cause = error;
            LOG.warning(() -> "The database is unreachable (" + cause + "): requests that need it answer 503 until it is back");
            state = new State(false, error, System.nanoTime());
        } else if (error != null) {
            state = new State(false, error, before.sinceNanos());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Stops checking (without interrupting a check: H2 must not see an interrupt); unreachable from now on. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(validationSeconds + 1L, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = new State(false, "closed", System.nanoTime());
        pool.close();
    }
}
