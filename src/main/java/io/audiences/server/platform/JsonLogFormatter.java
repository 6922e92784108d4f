package io.audiences.server.platform;

import java.io.StringWriter;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;

/**
 * The JSON log format ({@code AUDIENCES_LOG_FORMAT=json}): each record is one JSON object on one line, encoded by
 * Parsson (the JSON-P implementation Helidon's JSON-B media support already brings). Keys: {@code time} (ISO-8601
 * with the zone's offset), {@code level}, {@code logger}, {@code message}, the record's {@link LogFields}, the
 * current span's {@code trace_id}/{@code span_id} when tracing is on, and {@code exception}: the whole stack trace as
 * one string, its frames joined by {@code " | "}. JSON escapes every C0 control character; DEL, the C1 controls and
 * the Unicode line separators are escaped here too ({@code \u009b} is a terminal's CSI), so no request text can add
 * a line or drive a terminal, as with {@link SafeLogFormatter}.
 */
public final class JsonLogFormatter extends Formatter {

    private static final JsonGeneratorFactory JSON = Json.createGeneratorFactory(Map.of());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private final ZoneId zone = ZoneId.systemDefault();

    @Override
    public String format(LogRecord record) {
        StringWriter out = new StringWriter(256);
        Map<String, Object> fields = LogFields.of(record);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject()
                    .write("time", TIME.format(OffsetDateTime.ofInstant(record.getInstant(), zone).truncatedTo(ChronoUnit.MILLIS)))
                    .write("level", record.getLevel().getName())
                    .write("logger", String.valueOf(record.getLoggerName()))
                    .write("message", LogFields.message(this, record));
            fields.forEach((key, value) -> write(json, key, value));
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid() && !fields.containsKey("trace_id")) {
                json.write("trace_id", span.getTraceId()).write("span_id", span.getSpanId());
            }
            if (record.getThrown() != null) {
                json.write("exception", SafeLogFormatter.stackTrace(record.getThrown(), " | at ", " | Caused by: "));
            }
            json.writeEnd();
        }
        return escapeInvisible(out.append('\n'));
    }

    private static void write(JsonGenerator json, String key, Object value) {
        switch (value) {
            case Integer n -> json.write(key, n);
            case Long n -> json.write(key, n);
            case Boolean b -> json.write(key, b);
            default -> json.write(key, value.toString());
        }
    }

    /** Outside strings a JSON line is ASCII, so each of these characters is inside a string, where the escape is valid. */
    private static String escapeInvisible(StringWriter out) {
        StringBuffer line = out.getBuffer();
        StringBuilder sb = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean invisible = c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029';
            if (invisible && sb == null) {
                sb = new StringBuilder(line.length() + 16).append(line, 0, i);
            }
            if (sb != null) {
                sb.append(invisible ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb == null ? line.toString() : sb.toString();
    }
}
