package io.audiences.server.platform;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The queued log handler loses no line, keeps each thread's lines in order, and flush and close write what waits. */
class QueuedLogHandlerTest {

    private static final Formatter MESSAGE = new Formatter() {
        @Override
        public String format(LogRecord record) {
            return record.getMessage() + "\n";
        }
    };

    @Test
    void manyThreadsAtOnceLoseNoLineAndKeepTheirOrder() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        QueuedLogHandler handler = new QueuedLogHandler(stream, MESSAGE, false);
        int threads = 8;
        // More than the queue holds, so callers also write themselves when it is full.
        int perThread = QueuedLogHandler.MAX_QUEUED;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            started.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    handler.publish(new LogRecord(Level.INFO, thread + " " + i));
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        handler.close();

        Map<Integer, Integer> next = new HashMap<>();
        String[] lines = stream.toString(StandardCharsets.UTF_8).split("\n");
        for (String line : lines) {
            String[] parts = line.split(" ");
            int thread = Integer.parseInt(parts[0]);
            assertThat(line, Integer.parseInt(parts[1]), is(next.getOrDefault(thread, 0)));
            next.put(thread, Integer.parseInt(parts[1]) + 1);
        }
        assertThat(lines.length, is(threads * perThread));
        for (int t = 0; t < threads; t++) {
            assertThat(next.get(t), is(perThread));
        }
    }

    @Test
    void flushWritesWhatIsQueuedAndALineAfterCloseIsStillWritten() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        QueuedLogHandler handler = new QueuedLogHandler(stream, MESSAGE, false);
        handler.publish(new LogRecord(Level.INFO, "first"));
        handler.flush();
        assertThat(stream.toString(StandardCharsets.UTF_8), is("first\n"));

        handler.close();
        handler.publish(new LogRecord(Level.WARNING, "after close"));
        assertThat(stream.toString(StandardCharsets.UTF_8), is("first\nafter close\n"));
    }

    @Test
    void recordsBelowTheLevelAreNotWritten() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        QueuedLogHandler handler = new QueuedLogHandler(stream, MESSAGE, false);
        handler.setLevel(Level.WARNING);
        handler.publish(new LogRecord(Level.INFO, "quiet"));
        handler.publish(new LogRecord(Level.SEVERE, "loud"));
        handler.close();
        assertThat(stream.toString(StandardCharsets.UTF_8), is("loud\n"));
    }
}
