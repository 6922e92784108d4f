package io.audiences.server.upstream;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rows done against an expected total, printed at most every two seconds (to stderr by the commands); each finished
 * phase is kept so a benchmark can report it.
 */
public final class Progress {

    /** A finished phase: its rows (0 for a step without rows, like an index build) and its duration. */
    public record Phase(String label, long rows, double seconds) { }

    private static final long INTERVAL_NANOS = 2_000_000_000L;

    private final PrintStream out;
    private final long started = System.nanoTime();
    private String label = "";
    private long total;
    private long done;
    private long lastPrint = started;
    private long phaseStarted = started;
    private final List<Phase> phases = new ArrayList<>();

    private Progress(PrintStream out) {
        this.out = out;
    }

    public static Progress to(PrintStream out) {
        return new Progress(out);
    }

    /** A progress that prints nothing (tests). */
    public static Progress silent() {
        return new Progress(null);
    }

    /** Starts a new phase; {@code total} may be an estimate (0 = unknown). */
    public synchronized void phase(String label, long total) {
        finish();
        this.phaseStarted = System.nanoTime();
        this.label = label;
        this.total = total;
        this.done = 0;
    }

    public synchronized void advance(long rows) {
        done += rows;
        long now = System.nanoTime();
        if (out != null && now - lastPrint >= INTERVAL_NANOS) {
            lastPrint = now;
            double seconds = (now - started) / 1e9;
            out.println(total > 0
                    ? String.format(Locale.ROOT, "  %s: %,d / ~%,d (%.0f%%) after %.0f s", label, done, total,
                    Math.min(100.0, 100.0 * done / total), seconds)
                    : String.format(Locale.ROOT, "  %s: %,d after %.0f s", label, done, seconds));
        }
    }

    /** Prints how long the current phase took and its rate (no-op before the first phase or when silent). */
    public synchronized void finish() {
        if (!label.isEmpty() && done > 0) {
            double seconds = (System.nanoTime() - phaseStarted) / 1e9;
            phases.add(new Phase(label, done, seconds));
        }
        if (out != null && !label.isEmpty() && done > 0) {
            double seconds = (System.nanoTime() - phaseStarted) / 1e9;
            out.println(String.format(Locale.ROOT, "  %s: %,d rows in %.1f s (%,.0f rows/s)", label, done, seconds,
                    done / Math.max(seconds, 1e-9)));
        }
        label = "";
        done = 0;
    }

    /** Records a step without rows that took {@code seconds}, and prints it. */
    public synchronized void step(String label, double seconds) {
        phases.add(new Phase(label, 0, seconds));
        note(String.format(Locale.ROOT, "  %s in %.1f s", label, seconds));
    }

    /** The phases finished so far, oldest first. */
    public synchronized List<Phase> phases() {
        return List.copyOf(phases);
    }

    public synchronized void note(String message) {
        if (out != null) {
            out.println(message);
        }
    }
}
