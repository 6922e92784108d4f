package io.audiences.server.platform;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * A log handler that callers do not wait on: a record is formatted in the caller's thread (the JSON format reads the
 * caller's current span) and queued on a lock-free queue; one writer thread writes the queued lines in order and
 * flushes whenever it has caught up. {@link java.util.logging.StreamHandler} formats and writes under one monitor per
 * record, which every request thread took for its access line (about 9 % of the read path's CPU in a profile).
 *
 * <p>No line is dropped. When {@link #MAX_QUEUED} lines wait, the caller writes what is queued and its own line itself
 * (the stream's speed bounds the memory the queue takes); {@link #flush()} and {@link #close()} write everything
 * queued before they return, and a record published after close is written by its caller (standard output is never
 * closed, so the server's last lines still reach it).
 */
public class QueuedLogHandler extends Handler {

    static final int MAX_QUEUED = 16_384;

    private final Writer out;
    private final boolean closeStream;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Held while writing to {@link #out}: by the writer thread, or by a caller of flush or close, or one held back. */
    private final ReentrantLock writing = new ReentrantLock();
    private final Thread writer;
    private volatile boolean parked;
    private volatile boolean closed;

    /**
     * @param closeStream whether {@link #close()} closes {@code stream} (not for standard output)
     */
    public QueuedLogHandler(OutputStream stream, Formatter formatter, boolean closeStream) {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
        this.closeStream = closeStream;
        setFormatter(formatter);
        writer = Thread.ofPlatform().daemon().name("log-writer").start(this::writeQueued);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String line;
        try {
            line = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        if (closed || queued.get() >= MAX_QUEUED) {
            writeNow(line);
            return;
        }
        queue.offer(line);
        queued.incrementAndGet();
        if (closed) {
            // close() may have drained before this line was queued: write it here rather than leave it behind.
            writeNow(null);
        } else if (parked) {
            LockSupport.unpark(writer);
        }
    }

    /** Writes everything queued, then {@code line} if not null, and flushes: in the caller's thread. */
    private void writeNow(String line) {
        writing.lock();
        try {
            drain();
            if (line != null) {
                out.write(line);
            }
            out.flush();
        } catch (IOException e) {
            reportError(null, e, ErrorManager.WRITE_FAILURE);
        } finally {
            writing.unlock();
        }
    }

    /** The writer thread: writes lines as they come, flushes when caught up, sleeps while nothing is queued. */
    private void writeQueued() {
        while (true) {
            if (queue.isEmpty()) {
                writeNow(null);
                parked = true;
                // Checked again after announcing the sleep: a line queued meanwhile either is seen here or unparks.
                if (queue.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
                if (closed) {
                    return;
                }
                continue;
            }
            writing.lock();
            try {
                drain();
            } catch (IOException e) {
                reportError(null, e, ErrorManager.WRITE_FAILURE);
            } finally {
                writing.unlock();
            }
        }
    }

    /** Writes the queued lines (the caller holds {@link #writing}). */
    private void drain() throws IOException {
        for (String line; (line = queue.poll()) != null;) {
            queued.decrementAndGet();
            out.write(line);
        }
    }

    /** Writes and flushes everything queued so far. */
    @Override
    public void flush() {
        writeNow(null);
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        writeNow(null);
        if (closeStream) {
            writing.lock();
            try {
                out.close();
            } catch (IOException e) {
                reportError(null, e, ErrorManager.CLOSE_FAILURE);
            } finally {
                writing.unlock();
            }
        }
    }
}
