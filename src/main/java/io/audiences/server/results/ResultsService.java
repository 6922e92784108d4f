package io.audiences.server.results;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import io.audiences.server.audiences.Audience;
import io.audiences.server.platform.DomainException;

/**
 * What of an audience's results may be read, and when. Downloads stream straight from the database; a
 * resumed download (a byte range) is served from a rendered file of the same snapshot, which is cached
 * under the data directory until the audience moves to a newer build.
 */
public final class ResultsService {

    private final ResultsStore store;
    private final Path exportDir;

    public ResultsService(ResultsStore store, Path dataDir) {
        this.store = store;
        this.exportDir = dataDir.resolve("exports");
    }

    /** One downloadable rendering of a snapshot. */
    public record Download(long audienceId, long buildId, long limit, ExportFormat format) {

        /** Strong validator naming the build, the limit and the format: the bytes are a function of these. */
        public String etag() {
            return "\"a" + audienceId + "-b" + buildId + "-l" + limit + "-" + format.extension() + "\"";
        }

        public String fileName() {
            return "audience-" + audienceId + "-build-" + buildId + "." + format.extension();
        }

        String cacheName() {
            return "a" + audienceId + "-b" + buildId + "-l" + limit + "." + format.extension();
        }
    }

    /** A sample of the last completed snapshot, whatever the audience's current build or pause state. */
    public List<Contact> sample(Audience audience, int limit) {
        requireSnapshot(audience);
        return store.sample(audience.id(), limit);
    }

    /** The download of the audience's last completed snapshot. */
    public Download download(Audience audience, long limit, ExportFormat format) {
        requireSnapshot(audience);
        return new Download(audience.id(), audience.currentBuildId(), limit, format);
    }

    /** Writes the whole rendering to {@code out}. */
    public void write(Download d, OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        ExportFormat.Encoder encoder = d.format().encoder(writer);
        store.stream(d.buildId(), d.limit(), encoder::write);
        encoder.finish();
        writer.flush();
    }

    /** The rendered file if it is cached already. */
    public Optional<Path> cached(Download d) {
        Path file = exportDir.resolve(d.cacheName());
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }

    /** The rendered file, rendering it first if needed; renderings of older builds of the audience are removed. */
    public Path file(Download d) {
        Optional<Path> cached = cached(d);
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            Files.createDirectories(exportDir);
            removeStale(d);
            Path tmp = Files.createTempFile(exportDir, "render", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(d, out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Path file = exportDir.resolve(d.cacheName());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot render " + d.cacheName(), e);
        }
    }

    private void removeStale(Download d) throws IOException {
        String current = "a" + d.audienceId() + "-b" + d.buildId() + "-";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(exportDir, "a" + d.audienceId() + "-b*")) {
            for (Path f : files) {
                if (!f.getFileName().toString().startsWith(current)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static void requireSnapshot(Audience audience) {
        if ("preview".equals(audience.mode())) {
            throw DomainException.conflict("preview_only", "Preview audiences have counts only; create it with mode unload.");
        }
        if (audience.currentBuildId() == null) {
            throw DomainException.conflict("audience_not_ready", "The audience has no completed build yet; poll it until "
                    + "status is Completed.");
        }
    }
}
