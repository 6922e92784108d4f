package io.audiences.server.results;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.audiences.server.platform.Json;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * NDJSON lines are byte for byte what JSON-B wrote for the Contact schema's object (and, for a projection, for a map
 * of the named columns), so a download rendered before this encoder and resumed after it stays one file.
 */
class ExportFormatTest {

    /** Text a generator must escape or pass through: quotes, backslash, every C0 control, DEL, C1, separators, astral. */
    private static final String TRICKY;

    static {
        StringBuilder sb = new StringBuilder("\"quoted\" back\\slash / é ü 東京 \u007f \u0085 \u009b \u2028 \u2029 \uD83D\uDE00 ");
        for (char ch = 0; ch < 0x20; ch++) {
            sb.append(ch);
        }
        TRICKY = sb.toString();
    }

    private static List<Contact> contacts() {
        List<Contact> contacts = new ArrayList<>();
        contacts.add(new Contact(1, 10, 20, 3, 40_000_000_000L, "Ada", "Lovelace", "F", "25-34", "Engineer", "engineer",
                "R&D", "staff", "ada@example.com", "ada@corp.example", "https://linkedin.example/ada", "+1 555", "London",
                "Greater London", "GL", "N1", "GB", "Corp, Inc.", "corp.example", "Software", "51-200", "$1M-$10M"));
        contacts.add(new Contact(1, 11, 21, 0, 0, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null));
        contacts.add(new Contact(1, Long.MAX_VALUE, -1, Integer.MAX_VALUE, Long.MIN_VALUE, TRICKY, "", " ", TRICKY, "", null,
                TRICKY, "", null, TRICKY, "", "", TRICKY, null, "", "x", TRICKY, "", null, TRICKY, "", TRICKY));
        return contacts;
    }

    private static String render(List<String> columns) throws IOException {
        StringWriter out = new StringWriter();
        ExportFormat.Encoder encoder = ExportFormat.NDJSON.encoder(out, columns);
        for (Contact c : contacts()) {
            encoder.write(c);
        }
        encoder.finish();
        return out.toString();
    }

    @Test
    void everyColumnIsTheJsonbRenderingOfTheContactSchema() throws IOException {
        StringBuilder expected = new StringBuilder();
        for (Contact c : contacts()) {
            expected.append(Json.JSONB.toJson(AudienceContacts.dto(c))).append('\n');
        }
        assertThat(render(List.of()), is(expected.toString()));
    }

    @Test
    void aProjectionIsTheJsonbRenderingOfTheNamedColumnsInTheirOrder() throws IOException {
        List<String> columns = List.of("personal_state", "record_id", "first_name", "impression_count", "intent_frequency",
                "company_revenue");
        StringBuilder expected = new StringBuilder();
        for (Contact c : contacts()) {
            Map<String, Object> object = new LinkedHashMap<>();
            List<Object> values = ExportFormat.values(c);
            for (String column : columns) {
                Object value = values.get(ExportFormat.COLUMNS.indexOf(column));
                if (value != null) {
                    object.put(column, value);
                }
            }
            expected.append(Json.JSONB.toJson(object)).append('\n');
        }
        assertThat(render(columns), is(expected.toString()));
    }
}
