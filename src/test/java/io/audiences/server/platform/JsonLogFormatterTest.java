package io.audiences.server.platform;

import java.io.StringReader;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The JSON log format: one line per record whatever it carries, fields as keys, the exception as one string. */
class JsonLogFormatterTest {

    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @Test
    void anExceptionWithLineBreaksAndControlCharactersIsOneFieldOnOneLine() {
        LogRecord record = new LogRecord(Level.WARNING, "failed on /x\r\nFORGED \u009b31m {0}");
        record.setLoggerName("test");
        record.setThrown(new IllegalStateException("outer\nline", new IllegalArgumentException("inner\u0000")));
        String line = formatter.format(record);

        assertThat(line.indexOf('\n'), is(line.length() - 1));
        assertThat(line.indexOf('\r'), is(-1));
        assertThat(line.indexOf('\u009b'), is(-1));
        JsonObject json = parse(line);
        OffsetDateTime.parse(json.getString("time"));
        assertThat(json.getString("level"), is("WARNING"));
        assertThat(json.getString("logger"), is("test"));
        assertThat(json.getString("message"), is("failed on /x\r\nFORGED \u009b31m {0}"));
        String exception = json.getString("exception");
        assertThat(exception, not(containsString("\n")));
        assertThat(exception, containsString("java.lang.IllegalStateException: outer\\nline | at "));
        assertThat(exception, containsString(" | Caused by: java.lang.IllegalArgumentException: inner\\u0000 | at "));
        assertThat(exception, containsString(JsonLogFormatterTest.class.getName()));
    }

    @Test
    void fieldsAreKeysAndTheMessageIsNeverAPattern() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", "r-1");
        fields.put("status", 404);
        fields.put("duration_ms", 12L);
        fields.put("organization_id", null);
        Logger logger = Logger.getLogger("json-log-formatter-test");
        logger.setUseParentHandlers(false);
        StringBuilder out = new StringBuilder();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                out.append(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            LogFields.log(logger, Level.INFO, "GET /api/v1/{0} 404", fields);
        } finally {
            logger.removeHandler(handler);
        }
        JsonObject json = parse(out.toString());
        assertThat(json.getString("message"), is("GET /api/v1/{0} 404"));
        assertThat(json.getString("request_id"), is("r-1"));
        assertThat(json.getInt("status"), is(404));
        assertThat(json.getJsonNumber("duration_ms").longValue(), is(12L));
        assertThat(json.containsKey("organization_id"), is(false));
    }

    private static JsonObject parse(String line) {
        try (var reader = Json.createReader(new StringReader(line))) {
            return reader.readObject();
        }
    }
}
