package io.audiences.server.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.helidon.dbclient.DbExecute;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One PostgreSQL {@code LISTEN} channel, on a dedicated connection of this process (not a pooled one: a pool recycles
 * its connections, and a session only hears the channel while it lives). Whoever changes something the channel is
 * about calls {@link #notify} in the changing transaction: PostgreSQL delivers the notification to every listening
 * session once, and only if, that transaction commits.
 *
 * <p>The handler hears when the channel is heard ({@link Handler#listening}) and when it may not be
 * ({@link Handler#lost}): a broken or terminated connection, a failed liveness check, or shutdown. Notifications sent
 * while nobody listened are gone for good, so a handler keeping state derived from the database must treat a loss as
 * "anything may have changed" (drop it, and stop trusting it until it hears {@code listening} again). The connection
 * is checked every {@code checkInterval} without traffic, and reopened after {@code checkInterval} when lost.
 */
public final class PgListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PgListener.class.getName());
    private static final Pattern CHANNEL = Pattern.compile("[a-z_]{1,63}");

    /** What the listener reports; called on the listener's own thread, one call at a time. */
    public interface Handler {
        /** The channel is heard from now on (also after a reconnection). */
        void listening();

        /** Notifications may be missed from now on until the next {@link #listening}. */
        void lost();

        /** A notification with its payload. */
        void received(String payload);
    }

    private final Database db;
    private final String channel;
    private final Duration checkInterval;
    private final Handler handler;
    private final Thread thread;
    private volatile boolean running = true;

    private PgListener(Database db, String channel, Duration checkInterval, Handler handler) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel names are lower-case identifiers: " + channel);
        }
        this.db = db;
        this.channel = channel;
        this.checkInterval = checkInterval;
        this.handler = handler;
        // A virtual thread: interrupting it closes the socket it is blocked reading, which is how close() stops it.
        this.thread = Thread.ofVirtual().name("pg-listen-" + channel).unstarted(this::run);
    }

    /** Starts listening on {@code channel} in the background. */
    public static PgListener start(Database db, String channel, Duration checkInterval, Handler handler) {
        PgListener listener = new PgListener(db, channel, checkInterval, handler);
        listener.thread.start();
        return listener;
    }

    /** Sends {@code payload} on {@code channel} when {@code tx} commits (PostgreSQL only). */
    public static void notify(DbExecute tx, String channel, String payload) {
        tx.get("SELECT 1 AS sent FROM (SELECT pg_notify(?, ?)) n", channel, payload);
    }

    private void run() {
        int checkMillis = (int) Math.max(1, checkInterval.toMillis());
        boolean down = false;
        while (running) {
            try (Connection connection = db.dedicatedConnection("audiences-" + channel.replace('_', '-'))) {
                try (Statement st = connection.createStatement()) {
                    st.execute("LISTEN " + channel);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                handler.listening();
                if (down) {
                    LOG.info(() -> "LISTEN " + channel + " resumed");
                    down = false;
                }
                while (running) {
                    // Blocks until a notification arrives, the connection breaks (pg_terminate_backend answers at
                    // once) or the interval passes; a quiet connection is then checked with a round trip.
                    PGNotification[] received = pg.getNotifications(checkMillis);
                    if (received != null && received.length > 0) {
                        for (PGNotification n : received) {
                            handler.received(n.getParameter());
                        }
                    } else if (running && !connection.isValid((int) Math.max(1, checkInterval.toSeconds()))) {
                        throw new SQLException("the listening connection stopped answering");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                // Once per outage: the retries while the database stays unreachable are not news.
                if (running && !down) {
                    LOG.log(Level.WARNING, "LISTEN " + channel + " lost (" + e.getMessage() + "); retrying every "
                            + checkMillis + " ms, not trusting what it guards meanwhile");
                    down = true;
                }
            } finally {
                handler.lost();
            }
            pause(checkMillis);
        }
    }

    private void pause(long millis) {
        try {
            if (running) {
                Thread.sleep(millis);
            }
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /** Stops listening; the handler hears {@code lost} once more. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
