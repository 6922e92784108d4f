package io.audiences.server.results;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

/**
 * What of an audience's results may be read, and when. Downloads stream straight from the database; a
 * resumed download (a byte range) is served from a rendered file of the same snapshot, cached under the data
 * directory: bounded in bytes (least recently used renderings go first), and removed once the audience moved to a
 * newer build or was deleted.
 */
public final class ResultsService {

    private final ResultsStore store;
    private final Path exportDir;
    private final long cacheMaxBytes;

    /**
     * @param cacheMaxBytes the most bytes the cached renderings may take together
     */
    public ResultsService(ResultsStore store, Path dataDir, long cacheMaxBytes) {
        this.store = store;
        this.exportDir = dataDir.resolve("exports");
        this.cacheMaxBytes = cacheMaxBytes;
    }

    /** One downloadable rendering of a snapshot; {@code columns} empty means every column. */
    public record Download(long audienceId, long buildId, long limit, ExportFormat format, List<String> columns) {

        public Download {
            columns = List.copyOf(columns);
        }

        /** Strong validator naming the build, the limit, the format and the projection: the bytes are a function of these. */
        public String etag() {
            return "\"a" + audienceId + "-b" + buildId + "-l" + limit + projection() + "-" + format.extension() + "\"";
        }

        /** Empty for every column, else a digest of the column list (a list of 40 names would make a long ETag). */
        private String projection() {
            if (columns.isEmpty()) {
                return "";
            }
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join(",", columns).getBytes(StandardCharsets.UTF_8));
                return "-c" + HexFormat.of().formatHex(digest, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is a required algorithm", e);
            }
        }

        /** Validator of the gzip-coded rendering: the same snapshot, different bytes. */
        public String gzipEtag() {
            return etag().substring(0, etag().length() - 1) + "-gzip\"";
        }

        public String fileName() {
            return "audience-" + audienceId + "-build-" + buildId + "." + format.extension();
        }

        String cacheName() {
            return "a" + audienceId + "-b" + buildId + "-l" + limit + projection() + "." + format.extension();
        }
    }

    /** A sample of the last completed snapshot, whatever the audience's current build or pause state. */
    public List<Contact> sample(Snapshot audience, int limit) {
        requireSnapshot(audience);
        return store.sample(audience.audienceId(), limit);
    }

    /** The download of the audience's last completed snapshot, of {@code columns} only when that list is not empty. */
    public Download download(Snapshot audience, long limit, ExportFormat format, List<String> columns) {
        for (int i = 0; i < columns.size(); i++) {
            if (!ExportFormat.COLUMNS.contains(columns.get(i))) {
                throw DomainException.invalid(ErrorCode.UNKNOWN_COLUMN, "columns", "Unknown column " + columns.get(i)
                        + "; the columns are the fields of a Contact: " + String.join(", ", ExportFormat.COLUMNS) + ".");
            }
            if (columns.subList(0, i).contains(columns.get(i))) {
                throw DomainException.invalid(ErrorCode.DUPLICATE_COLUMN, "columns", "Column " + columns.get(i) + " is named twice.");
            }
        }
        requireSnapshot(audience);
        return new Download(audience.audienceId(), audience.buildId(), limit, format, columns);
    }

    /**
     * Writes the whole rendering to {@code out}. CSV on PostgreSQL is rendered by {@code COPY}, at the database's
     * own speed; the bytes are the row renderer's ({@link #writeRows}), so a file cached by either continues the other.
     */
    public void write(Download d, OutputStream out) throws IOException {
        // COPY renders every column; a projection goes through the row renderer.
        if (d.format() == ExportFormat.CSV && store.copies() && d.columns().isEmpty()) {
            out.write(ExportFormat.csvHeader().getBytes(StandardCharsets.UTF_8));
            PostgresCsv csv = new PostgresCsv(out);
            store.copyCsv(d.buildId(), d.limit(), csv);
            csv.flush();
            return;
        }
        writeRows(d, out);
    }

    /** Writes the whole rendering to {@code out} from rows read over a JDBC cursor: NDJSON, and CSV on H2. */
    public void writeRows(Download d, OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        ExportFormat.Encoder encoder = d.format().encoder(writer, d.columns());
        store.stream(d.buildId(), d.limit(), encoder::write);
        encoder.finish();
        writer.flush();
    }

    /**
     * An open rendering: reading it is safe even if the cache evicts the file meanwhile (the channel keeps the
     * bytes until it is closed).
     */
    public record Rendering(FileChannel channel, long size) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** The rendering if it is cached already; it becomes the most recently used. */
    public Optional<Rendering> cached(Download d) throws IOException {
        synchronized (this) {
            Path file = exportDir.resolve(d.cacheName());
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
            return Optional.of(open(file));
        }
    }

    /**
     * The rendering, rendered first if it is not cached. Renderings of builds no longer current and of deleted
     * audiences are removed, then the least recently used ones until the cache fits its byte cap again; a rendering
     * larger than the whole cap is served but not kept.
     */
    public Rendering rendering(Download d) throws IOException {
        Optional<Rendering> cached = cached(d);
        if (cached.isPresent()) {
            return cached.get();
        }
        Files.createDirectories(exportDir);
        // Rendered outside the lock: a large rendering must not hold up the others.
        Path tmp = Files.createTempFile(exportDir, "render", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            write(d, out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        synchronized (this) {
            Path file = exportDir.resolve(d.cacheName());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Rendering rendering = open(file);
            prune();
            return rendering;
        }
    }

    /** Removes every rendering of an audience (it was deleted). */
    public synchronized void discard(long audienceId) throws IOException {
        for (Cached c : renderings()) {
            if (c.audienceId() == audienceId) {
                Files.deleteIfExists(c.file());
            }
        }
    }

    /** A file of the cache, as its name describes it. */
    private record Cached(Path file, long audienceId, long buildId, long size, FileTime used) { }

    private static final Pattern CACHE_NAME = Pattern.compile("a(\\d+)-b(\\d+)-l\\d+(?:-c[0-9a-f]+)?\\.[a-z]+");

    /** Drops renderings no longer reachable (superseded build, deleted audience), then the least recently used. */
    private void prune() throws IOException {
        List<Cached> files = renderings();
        Map<Long, Long> current = store.currentBuilds(files.stream().map(Cached::audienceId).distinct().toList());
        List<Cached> kept = new ArrayList<>();
        for (Cached c : files) {
            if (!Objects.equals(current.get(c.audienceId()), c.buildId())) {
                Files.deleteIfExists(c.file());
            } else {
                kept.add(c);
            }
        }
        kept.sort(Comparator.comparing(Cached::used));
        long total = kept.stream().mapToLong(Cached::size).sum();
        for (Cached c : kept) {
            if (total <= cacheMaxBytes) {
                break;
            }
            Files.deleteIfExists(c.file());
            total -= c.size();
        }
    }

    private List<Cached> renderings() throws IOException {
        List<Cached> files = new ArrayList<>();
        if (!Files.isDirectory(exportDir)) {
            return files;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(exportDir, "a*")) {
            for (Path f : dir) {
                Matcher m = CACHE_NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    try {
                        BasicFileAttributes attrs = Files.readAttributes(f, BasicFileAttributes.class);
                        files.add(new Cached(f, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), attrs.size(),
                                attrs.lastModifiedTime()));
                    } catch (NoSuchFileException e) {
                        // removed meanwhile
                    }
                }
            }
        }
        return files;
    }

    private static Rendering open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        return new Rendering(channel, channel.size());
    }

    private static void requireSnapshot(Snapshot audience) {
        if (audience.previewOnly()) {
            throw DomainException.conflict(ErrorCode.PREVIEW_ONLY, "Preview audiences have counts only; create it with mode unload.");
        }
        if (audience.buildId() == null) {
            throw DomainException.conflict(ErrorCode.AUDIENCE_NOT_READY, "The audience has no completed build yet; poll it until "
                    + "status is Completed.");
        }
    }
}
