package io.audiences.server.platform;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * {@link java.util.logging.SimpleFormatter}'s layout ({@code java.util.logging.SimpleFormatter.format}) with every
 * piece of a record that can carry outside text escaped by {@link LogText}: the message and each exception's own
 * text. A record is then exactly one line, or, with an exception, one line plus one {@code at} line per frame: no
 * request can add a line of its own or send terminal escapes, whichever logger wrote it (ours, Helidon's, a driver's).
 */
public final class SafeLogFormatter extends Formatter {

    private static final String DEFAULT_FORMAT = "%1$tY-%1$tm-%1$tdT%1$tH:%1$tM:%1$tS.%1$tL %4$s %3$s %5$s%6$s%n";

    private final String format;

    public SafeLogFormatter() {
        String configured = LogManager.getLogManager().getProperty("java.util.logging.SimpleFormatter.format");
        this.format = configured == null || configured.isBlank() ? DEFAULT_FORMAT : configured;
    }

    @Override
    public String format(LogRecord record) {
        ZonedDateTime time = ZonedDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault());
        String source = record.getSourceClassName() == null ? record.getLoggerName()
                : record.getSourceClassName() + (record.getSourceMethodName() == null ? "" : " " + record.getSourceMethodName());
        String thrown = record.getThrown() == null ? ""
                : System.lineSeparator() + stackTrace(record.getThrown(), System.lineSeparator() + "\tat ",
                System.lineSeparator() + "Caused by: ");
        return String.format(format, time, LogText.escape(source), LogText.escape(record.getLoggerName()),
                record.getLevel().getLocalizedName(), LogText.escape(LogFields.message(this, record)), thrown);
    }

    /**
     * Like {@link Throwable#printStackTrace()}, with each throwable's text escaped (frames are code, not input), each
     * frame after {@code frame} and each cause after {@code cause}.
     */
    static String stackTrace(Throwable thrown, String frame, String cause) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        String prefix = "";
        for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
            sb.append(prefix).append(LogText.escape(t.toString()));
            for (StackTraceElement element : t.getStackTrace()) {
                sb.append(frame).append(element);
            }
            prefix = cause;
        }
        return sb.toString();
    }
}
