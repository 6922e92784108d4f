package io.audiences.server.platform;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Closes a connection whose request headers do not all arrive within {@code timeout} of its request line, so a
 * client trickling header bytes (one every few seconds) cannot pin a connection. Helidon has no such deadline: its
 * read timeout applies to each read, which a trickle renews, and its idle-connection check interrupts only a
 * connection still waiting for its request line (that check, {@code server.idle-connection-timeout} run every
 * {@code server.idle-connection-period}, covers the request line itself). Registered as an HTTP/1 receive listener.
 */
public final class HeaderReadTimeout implements Http1ConnectionListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HeaderReadTimeout.class.getName());

    private final long timeoutNanos;
    /** Connections between their request line and the end of their headers, with their deadline. */
    private final Map<ConnectionContext, Long> reading = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("header-read-timeout").daemon().factory());

    public HeaderReadTimeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::closeLate, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        reading.put(ctx, System.nanoTime() + timeoutNanos);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        reading.remove(ctx);
    }

    private void closeLate() {
        long now = System.nanoTime();
        reading.forEach((ctx, deadline) -> {
            if (now - deadline > 0 && reading.remove(ctx, deadline)) {
                LOG.fine(() -> "closing " + ctx.remotePeer() + ": request headers not complete in time");
                try {
                    ctx.serverSocket().close();
                } catch (RuntimeException e) {
                    LOG.fine(() -> "closing a late connection failed: " + e);
                }
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
