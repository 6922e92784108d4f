package io.audiences.server.upstream;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * One {@code COPY ... FROM STDIN} in PostgreSQL's text format, fed row by row through pgjdbc's copy API: values are
 * encoded straight into a byte buffer (no intermediate strings for numbers) and sent in large chunks, so the client
 * spends far less per row than binding parameters of a batched {@code INSERT}, and the server skips parsing and
 * planning statements.
 *
 * <p>Text format: columns separated by a tab, rows by a newline, {@code \N} is NULL; a backslash, tab, newline or
 * carriage return inside a value is escaped with a backslash (an empty string stays empty, distinct from NULL).
 * Closing before {@link #finish()} cancels the COPY, so the caller's rollback is possible and nothing of it lands.
 */
final class CopyText implements AutoCloseable {

    /** Bytes buffered before a chunk goes to the server. */
    private static final int CHUNK = 1 << 18;
    /** Unambiguous for timestamptz whatever the session's DateStyle or TimeZone. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");

    private final CopyIn copy;
    private final byte[] buffer = new byte[CHUNK + 4096];
    private int length;
    private boolean firstColumn = true;
    private long rows;

    private CopyText(CopyIn copy) {
        this.copy = copy;
    }

    /** Starts {@code sql} (a {@code COPY ... FROM STDIN} in text format) on the PostgreSQL connection under a pooled one. */
    static CopyText start(Connection c, String sql) throws SQLException {
        return new CopyText(c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql));
    }

    /** Appends a number column. */
    CopyText number(long value) throws SQLException {
        separate();
        if (value < 0) {
            buffer[length++] = '-';
            if (value == Long.MIN_VALUE) {
                return ascii(Long.toString(value).substring(1));
            }
            value = -value;
        }
        int start = length;
        do {
            buffer[length++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        for (int i = start, j = length - 1; i < j; i++, j--) {
            byte b = buffer[i];
            buffer[i] = buffer[j];
            buffer[j] = b;
        }
        return this;
    }

    /** Appends a column whose text needs no escaping (dates, ISO numbers). */
    CopyText plain(String text) throws SQLException {
        separate();
        return ascii(text);
    }

    /** Appends any column value a row of {@link UpstreamWriter} can hold. */
    CopyText value(Object value) throws SQLException {
        return switch (value) {
            case null -> plain("\\N");
            case Long l -> number(l);
            case Integer i -> number(i);
            case Short s -> number(s);
            case Boolean b -> plain(b ? "t" : "f");
            case OffsetDateTime t -> plain(TIMESTAMP.format(t.withOffsetSameInstant(ZoneOffset.UTC)));
            case String s -> text(s);
            default -> text(value.toString());
        };
    }

    private CopyText text(String s) throws SQLException {
        separate();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
                ascii(ch == '\\' ? "\\\\" : ch == '\t' ? "\\t" : ch == '\n' ? "\\n" : "\\r");
            } else if (ch < 0x80) {
                room(1);
                buffer[length++] = (byte) ch;
            } else {
                // Non-ASCII: one code point at a time (a surrogate pair stays together); none of them needs escaping.
                int cp = s.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                room(utf8.length);
                System.arraycopy(utf8, 0, buffer, length, utf8.length);
                length += utf8.length;
                i += Character.charCount(cp) - 1;
            }
        }
        return this;
    }

    /** Ends the current row. */
    void endRow() throws SQLException {
        room(1);
        buffer[length++] = '\n';
        firstColumn = true;
        rows++;
        if (length >= CHUNK) {
            flush();
        }
    }

    long rows() {
        return rows;
    }

    /** Sends what is buffered and completes the COPY; returns the rows the server reports written. */
    long finish() throws SQLException {
        flush();
        return copy.endCopy();
    }

    @Override
    public void close() throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }

    private void separate() throws SQLException {
        room(64);
        if (!firstColumn) {
            buffer[length++] = '\t';
        }
        firstColumn = false;
    }

    private CopyText ascii(String s) throws SQLException {
        room(s.length());
        for (int i = 0; i < s.length(); i++) {
            buffer[length++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Makes room for {@code bytes} more (a long value is sent in pieces; COPY reassembles the stream). */
    private void room(int bytes) throws SQLException {
        if (length + bytes > buffer.length) {
            flush();
        }
        if (bytes > buffer.length) {
            throw new IllegalArgumentException("value longer than the COPY buffer");
        }
    }

    private void flush() throws SQLException {
        if (length > 0) {
            copy.writeToCopy(buffer, 0, length);
            length = 0;
        }
    }
}
