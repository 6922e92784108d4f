package io.audiences.server.results;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

/**
 * How one download request is answered, decided without HTTP types: the whole rendering (200, gzip-coded when the
 * client accepts it, copied from the cached file if there is one, else streamed from the database), one byte range of
 * the identity rendering (206, served from the cached file, rendered first if need be), or the description only
 * (HEAD). The handler copies the fields to its response and {@link #writeTo} to its output stream.
 */
public final class Transfer implements AutoCloseable {

    /**
     * What the request asks beside the download itself.
     *
     * @param head        a HEAD request: headers only
     * @param range       the {@code Range} header
     * @param ifRange     the {@code If-Range} header
     * @param acceptsGzip whether the client accepts the gzip content coding
     */
    public record Conditions(boolean head, Optional<String> range, Optional<String> ifRange, boolean acceptsGzip) { }

    /** The identity bytes {@code first} to {@code last} (inclusive) of a rendering {@code length} bytes long. */
    record Slice(long first, long last, long length) {

        long count() {
            return last - first + 1;
        }

        String contentRange() {
            return "bytes " + first + "-" + last + "/" + length;
        }
    }

    /** Writes the body, uncoded. */
    @FunctionalInterface
    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private final boolean partial;
    private final String etag;
    private final String mediaType;
    private final boolean gzip;
    private final OptionalLong contentLength;
    private final Optional<String> contentRange;
    private final Optional<ResultsService.Rendering> file;
    private final Optional<Body> body;

    private Transfer(boolean partial, String etag, String mediaType, boolean gzip, OptionalLong contentLength,
                     Optional<String> contentRange, Optional<ResultsService.Rendering> file, Optional<Body> body) {
        this.partial = partial;
        this.etag = etag;
        this.mediaType = mediaType;
        this.gzip = gzip;
        this.contentLength = contentLength;
        this.contentRange = contentRange;
        this.file = file;
        this.body = body;
    }

    /**
     * Decides how {@code conditions} are answered for {@code download}. Ranges address the identity bytes only (a gzip
     * stream cannot be resumed mid-way), so {@code If-Range} must name the identity ETag, and a range is answered
     * uncompressed; a range starting past the end is refused with 416 {@code range_not_satisfiable}.
     */
    public static Transfer negotiate(ResultsService results, ResultsService.Download download, Conditions conditions)
            throws IOException {
        String type = download.format().mediaType();
        if (conditions.head()) {
            // HEAD describes the identity representation: its length is known once rendered (the gzip one's only by
            // compressing it all), and a client checks a download's size and ETag with HEAD before fetching ranges.
            ResultsService.Rendering file = results.rendering(download);
            return new Transfer(false, download.etag(), type, false, OptionalLong.of(file.size()), Optional.empty(),
                    Optional.of(file), Optional.empty());
        }
        Optional<ByteRange> range = ranged(download.etag(), conditions);
        if (range.isPresent()) {
            ResultsService.Rendering file = results.rendering(download);
            Slice slice;
            try {
                slice = slice(range.get(), file.size());
            } catch (DomainException e) {
                file.close();
                throw e;
            }
            return new Transfer(true, download.etag(), type, false, OptionalLong.of(slice.count()),
                    Optional.of(slice.contentRange()), Optional.of(file),
                    Optional.of(out -> copy(file, slice.first(), slice.count(), out)));
        }
        // A content coding is another representation: its own strong validator (RFC 9110 §8.8.3).
        boolean gzip = conditions.acceptsGzip();
        String etag = gzip ? download.gzipEtag() : download.etag();
        Optional<ResultsService.Rendering> cached = results.cached(download);
        if (cached.isPresent()) {
            ResultsService.Rendering file = cached.get();
            return new Transfer(false, etag, type, gzip, gzip ? OptionalLong.empty() : OptionalLong.of(file.size()),
                    Optional.empty(), cached, Optional.of(out -> copy(file, 0, file.size(), out)));
        }
        return new Transfer(false, etag, type, gzip, OptionalLong.empty(), Optional.empty(), Optional.empty(),
                Optional.of(out -> results.write(download, out)));
    }

    /** The range the request asks for, if any and if its {@code If-Range} (when sent) names the current rendering. */
    static Optional<ByteRange> ranged(String etag, Conditions conditions) {
        return ByteRange.parse(conditions.range()).filter(r -> conditions.ifRange().map(etag::equals).orElse(true));
    }

    /** The bytes of {@code range} within a rendering of {@code length} bytes; 416 when it starts past the end. */
    static Slice slice(ByteRange range, long length) {
        if (range.start() >= length) {
            throw new DomainException(DomainException.Kind.RANGE_NOT_SATISFIABLE, ErrorCode.RANGE_NOT_SATISFIABLE,
                    "The snapshot has " + length + " bytes.", List.of(),
                    Map.of(DomainException.CONTENT_RANGE, "bytes */" + length));
        }
        return new Slice(range.start(), Math.min(range.end().orElse(length - 1), length - 1), length);
    }

    /** 206 for a range, else 200. */
    public int status() {
        return partial ? 206 : 200;
    }

    /** Whether this sends the whole rendering (not a range, not HEAD): the rows it counts were all sent. */
    public boolean whole() {
        return !partial && body.isPresent();
    }

    public boolean hasBody() {
        return body.isPresent();
    }

    public String etag() {
        return etag;
    }

    public String mediaType() {
        return mediaType;
    }

    /** Whether the body is gzip-coded ({@code Content-Encoding: gzip}). */
    public boolean gzip() {
        return gzip;
    }

    /** Known for the identity bytes of a rendered file; empty when streamed or compressed on the fly. */
    public OptionalLong contentLength() {
        return contentLength;
    }

    public Optional<String> contentRange() {
        return contentRange;
    }

    /** Writes the body to {@code out} (gzip-coded when negotiated); the caller closes {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        if (body.isEmpty()) {
            return;
        }
        if (!gzip) {
            body.get().writeTo(out);
            return;
        }
        FastGzip zipped = new FastGzip(out);
        body.get().writeTo(zipped);
        zipped.finish();
    }

    @Override
    public void close() throws IOException {
        if (file.isPresent()) {
            file.get().close();
        }
    }

    /**
     * gzip at level 1: several times faster than the default level 6 for a few per cent more bytes (perf-rel §1c:
     * 134-160 vs 59-61 MB/s of CSV), so compressing never becomes the download's bottleneck.
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private static void copy(ResultsService.Rendering file, long offset, long count, OutputStream out) throws IOException {
        try (InputStream in = Channels.newInputStream(file.channel().position(offset))) {
            byte[] buffer = new byte[64 * 1024];
            long left = count;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }
}
