package io.audiences.server.platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A log record's structured fields: the JSON log format ({@link JsonLogFormatter}) writes them as keys of the line,
 * the text format keeps the message alone (a message without {@code {0}} does not show its parameters), so a line
 * reads the same in a terminal as before. Null values are left out.
 */
public record LogFields(Map<String, Object> values) {

    /** Logs {@code message} with {@code fields} if {@code logger} is enabled for {@code level}. */
    public static void log(Logger logger, Level level, String message, Map<String, ?> fields) {
        if (!logger.isLoggable(level)) {
            return;
        }
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger.getName());
        record.setSourceClassName(logger.getName());
        Map<String, Object> values = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
            }
        });
        record.setParameters(new Object[] {new LogFields(Collections.unmodifiableMap(values))});
        logger.log(record);
    }

    /**
     * A record's message text: with fields, the message as written (never run through {@link java.text.MessageFormat},
     * as {@link Formatter#formatMessage} would since the record has a parameter: request text such as a path with
     * {@code {0}} in it must stay literal); otherwise as {@code formatter} formats it.
     */
    static String message(Formatter formatter, LogRecord record) {
        return carried(record) ? String.valueOf(record.getMessage()) : formatter.formatMessage(record);
    }

    /** The fields a record carries, if it was logged by {@link #log}. */
    static Map<String, Object> of(LogRecord record) {
        return carried(record) ? ((LogFields) record.getParameters()[0]).values() : Map.of();
    }

    private static boolean carried(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters != null && parameters.length == 1 && parameters[0] instanceof LogFields;
    }
}
