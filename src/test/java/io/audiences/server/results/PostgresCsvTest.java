package io.audiences.server.results;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@link PostgresCsv} turns PostgreSQL's CSV into commons-csv's: the PostgreSQL side is written here by a
 * commons-csv printer set up as PostgreSQL's COPY writes (LF, quote only what must be quoted, NULL empty and
 * bare, empty string quoted), then fed in slices of every size so that state crosses chunk boundaries.
 */
class PostgresCsvTest {

    static final List<String> AWKWARD = Arrays.asList("plain", "O\"Brien", "Smith, Jr.", "line1\nline2", "cr\rlf\r\n",
            "Zoë 東京 😀", null, "", " lead", "trail ", "#hash", "\ttab", "tab\t", "\\.", "back\\slash", "\"", ",",
            "=SUM(A1)", "'quoted'", "a\u0001b", "\u0001", "!", "NULL", "\\N", "\u00a0nbsp", "end\u00a0", "$", "\"\"", "x y");

    @Test
    void rendersWhatTheRowRendererRenders() throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < 3 * AWKWARD.size(); i++) {
            List<String> row = new ArrayList<>();
            row.add(i % 5 == 0 ? AWKWARD.get(i % AWKWARD.size()) : Integer.toString(i)); // first value quoted apart
            for (int j = 0; j < 4; j++) {
                row.add(AWKWARD.get((i + 7 * j) % AWKWARD.size()));
            }
            rows.add(row);
        }
        byte[] expected = print(rows, CSVFormat.RFC4180);
        byte[] postgres = postgres(rows);
        for (int slice : new int[] {1, 2, 3, 7, 64, 1 << 20}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PostgresCsv csv = new PostgresCsv(out);
            for (int off = 0; off < postgres.length; off += slice) {
                csv.write(postgres, off, Math.min(slice, postgres.length - off));
            }
            csv.flush();
            assertThat("slices of " + slice, new String(out.toByteArray(), StandardCharsets.UTF_8),
                    is(new String(expected, StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aValueLongerThanTheBufferIsQuotedAfterTheFact() throws IOException {
        String longValue = "v".repeat(200_000) + " ";
        List<List<String>> rows = List.of(List.of("1", longValue), List.of("2", "x"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PostgresCsv csv = new PostgresCsv(out);
        csv.write(postgres(rows));
        csv.flush();
        assertThat(out.toString(StandardCharsets.UTF_8), is(new String(print(rows, CSVFormat.RFC4180), StandardCharsets.UTF_8)));
    }

    /** PostgreSQL's COPY CSV: quotes a value only if it holds a delimiter, quote, CR or LF, or is an empty string. */
    private static byte[] postgres(List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String v = row.get(i);
                if (i > 0) {
                    sb.append(',');
                }
                if (v == null) {
                    continue;
                }
                boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
                sb.append(quote ? '"' + v.replace("\"", "\"\"") + '"' : v);
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] print(List<List<String>> rows, CSVFormat format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8); CSVPrinter p = new CSVPrinter(w, format)) {
            for (List<String> row : rows) {
                p.printRecord(row);
            }
        }
        return bytes.toByteArray();
    }
}
