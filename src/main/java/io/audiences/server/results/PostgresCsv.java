package io.audiences.server.results;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Rewrites the rows of PostgreSQL's {@code COPY ... TO STDOUT (FORMAT csv)} into exactly the bytes the row renderer
 * ({@link ExportFormat#CSV}, commons-csv RFC 4180) writes for the same values, so a download is the same file on
 * either path and a range of one continues the other. One pass over the bytes, no per-row objects; UTF-8 is
 * compared byte-wise, which agrees with commons-csv's char tests because every byte of a multi-byte character
 * is above 0x7F.
 *
 * <p>The two differ in three ways only. PostgreSQL ends rows with LF, commons-csv with CRLF. PostgreSQL quotes an
 * empty string (it would read back as NULL otherwise) where commons-csv writes nothing, as it does for NULL. And
 * commons-csv also quotes a value that starts with a character up to {@code #} (space, tab, {@code !}, ...) or
 * ends with one up to a space, which PostgreSQL leaves bare. Everything PostgreSQL quotes (a delimiter, a quote,
 * CR or LF inside) commons-csv quotes the same way, so quoted values pass through unchanged.
 */
final class PostgresCsv extends OutputStream {

    private static final int FLUSH_AT = 60 * 1024;

    private enum State { FIELD_START, BARE, QUOTED, QUOTE_IN_QUOTED }

    private final OutputStream out;
    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private State state = State.FIELD_START;
    private int fieldIndex;
    /** Where the current field's bytes start in {@link #buf}, to quote a bare value after the fact. */
    private int fieldStart;
    private boolean openedQuote;
    private boolean quotedEmpty;
    private byte last;

    PostgresCsv(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        accept((byte) b);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end) {
            // Inside a value, copy the run up to the next byte that matters in one go.
            if (state == State.BARE || state == State.QUOTED) {
                int run = i;
                if (state == State.BARE) {
                    while (run < end && bytes[run] != ',' && bytes[run] != '\n') {
                        run++;
                    }
                } else {
                    while (run < end && bytes[run] != '"') {
                        run++;
                    }
                }
                if (run > i) {
                    putAll(bytes, i, run - i);
                    if (state == State.BARE) {
                        last = bytes[run - 1];
                    } else {
                        quotedEmpty = false;
                    }
                    i = run;
                    continue;
                }
            }
            accept(bytes[i++]);
        }
    }

    private void accept(byte b) throws IOException {
        switch (state) {
            case FIELD_START -> startField(b);
            case BARE -> {
                if (b == ',' || b == '\n') {
                    if (!openedQuote && (last & 0xFF) <= ' ') {
                        // Known only at the end: the value ends in a space or control character.
                        ensure(1);
                        System.arraycopy(buf, fieldStart, buf, fieldStart + 1, pos - fieldStart);
                        buf[fieldStart] = '"';
                        pos++;
                        openedQuote = true;
                    }
                    if (openedQuote) {
                        put((byte) '"');
                    }
                    separator(b);
                } else {
                    put(b);
                    last = b;
                }
            }
            case QUOTED -> {
                if (b == '"') {
                    state = State.QUOTE_IN_QUOTED;
                } else {
                    put(b);
                    quotedEmpty = false;
                }
            }
            case QUOTE_IN_QUOTED -> {
                if (b == '"') {
                    put((byte) '"');
                    put((byte) '"');
                    quotedEmpty = false;
                    state = State.QUOTED;
                } else {
                    if (quotedEmpty && fieldIndex > 0) {
                        pos--; // an empty string: commons-csv quotes it only as a record's first value
                    } else {
                        put((byte) '"');
                    }
                    separator(b);
                }
            }
        }
    }

    private void startField(byte b) throws IOException {
        if (pos >= FLUSH_AT) {
            flushBuffer();
        }
        if (b == ',' || b == '\n') {
            separator(b); // NULL
        } else if (b == '"') {
            put(b);
            quotedEmpty = true;
            state = State.QUOTED;
        } else {
            fieldStart = pos;
            openedQuote = (b & 0xFF) <= '#';
            if (openedQuote) {
                put((byte) '"');
            }
            put(b);
            last = b;
            state = State.BARE;
        }
    }

    private void separator(byte b) {
        if (b == '\n') {
            put((byte) '\r');
            fieldIndex = 0;
        } else {
            fieldIndex++;
        }
        put(b);
        state = State.FIELD_START;
    }

    private void put(byte b) {
        ensure(1);
        buf[pos++] = b;
    }

    private void putAll(byte[] bytes, int off, int len) {
        ensure(len);
        System.arraycopy(bytes, off, buf, pos, len);
        pos += len;
    }

    /** Grows the buffer for a value longer than its headroom (flushing happens only between values). */
    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    private void flushBuffer() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    /** Writes what is buffered; COPY ends every row with LF, so a complete stream leaves no field open. */
    @Override
    public void flush() throws IOException {
        if (state != State.FIELD_START) {
            throw new IOException("COPY output ended inside a field");
        }
        flushBuffer();
        out.flush();
    }
}
