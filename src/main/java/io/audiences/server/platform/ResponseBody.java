package io.audiences.server.platform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * How every answer's body goes out (except downloads, which stream and negotiate their own coding):
 * <ul>
 *     <li>HEAD is answered by the GET operation of its path (RFC 9110 §9.3.2): the same status and headers,
 *     {@code Content-Length} included, without the body. Helidon writes whatever a handler sends, so {@link #send}
 *     writes only the headers while a HEAD request is being answered.</li>
 *     <li>A text body (JSON, problem, YAML, HTML, CSS, JavaScript) of {@value #GZIP_MIN_BYTES} bytes or more is
 *     gzip-coded when the request's {@code Accept-Encoding} allows it, with {@code Vary: Accept-Encoding}. Smaller
 *     ones are not: the gzip header and the CPU cost more than the bytes saved. Helidon's own gzip encoding is not
 *     used: it has no size threshold, and it would compress the downloads again, which set their own
 *     {@code Content-Encoding} (helidon-io/helidon#8837).</li>
 * </ul>
 * Which request is being answered is kept per thread: Helidon runs a request's filters, handler and error handler
 * on one thread, and the access filter calls {@link #begin} at the start of every request.
 */
public final class ResponseBody {

    /** Smallest body worth compressing (about one TCP segment). */
    static final int GZIP_MIN_BYTES = 1024;

    private record Request(boolean head, boolean gzip) { }

    private static final ThreadLocal<Request> CURRENT = ThreadLocal.withInitial(() -> new Request(false, false));

    private ResponseBody() {
    }

    /** Called first for every request: whether it is a HEAD and whether it accepts a gzip-coded answer. */
    public static void begin(boolean head, boolean acceptsGzip) {
        CURRENT.set(new Request(head, acceptsGzip));
    }

    /** Whether the request being answered on this thread is a HEAD. */
    public static boolean head() {
        return CURRENT.get().head();
    }

    /**
     * Sends {@code body} (its Content-Type already set), gzip-coded when worth it and accepted, and for a HEAD only
     * its headers (Helidon keeps a Content-Length set before an empty send).
     */
    public static void send(ServerResponse res, byte[] body) {
        byte[] bytes = body;
        if (body.length >= GZIP_MIN_BYTES && compressible(res)) {
            res.header(HeaderNames.VARY, "Accept-Encoding");
            if (CURRENT.get().gzip()) {
                bytes = gzip(body);
                res.header(HeaderNames.CONTENT_ENCODING, "gzip");
            }
        }
        if (head()) {
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(bytes.length));
            res.send();
        } else {
            res.send(bytes);
        }
    }

    private static boolean compressible(ServerResponse res) {
        String type = res.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
        return type.contains("json") || type.contains("yaml") || type.startsWith("text/");
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
