package io.audiences.server.upstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class NdjsonFilesTest {

    private static <T> List<T> all(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void writtenFilesReadBackAsTheGeneratedRows(@TempDir Path dir) throws IOException {
        SyntheticData data = new SyntheticData(new SyntheticData.Spec(5, 500, 3, LocalDate.of(2026, 1, 31), 3_000, 60));
        long signals = NdjsonFiles.write(data, dir, Progress.silent());
        assertThat(NdjsonFiles.signalDays(dir), is(data.days()));
        long read = 0;
        for (LocalDate day : data.days()) {
            List<Upstream.Signal> back = all(NdjsonFiles.readSignals(NdjsonFiles.signalFile(dir, day), day));
            assertThat(back, is(all(data.signals(day))));
            read += back.size();
        }
        assertThat(read, is(signals));
        ObjectMapper mapper = new ObjectMapper();
        assertThat(lines(dir.resolve(NdjsonFiles.RECORDS)).stream().map(l -> NdjsonFiles.parseRecord(mapper.readTree(l)))
                .toList(), is(all(data.records())));
        assertThat(lines(dir.resolve(NdjsonFiles.TOPICS)).stream().map(l -> NdjsonFiles.topic(mapper.readTree(l))).toList(),
                is(data.topics()));
        assertThat(lines(dir.resolve(NdjsonFiles.CATEGORIES)).stream().map(l -> NdjsonFiles.category(mapper.readTree(l)))
                .toList(), is(data.categories()));
        assertThat(lines(dir.resolve(NdjsonFiles.SUBCATEGORIES)).stream()
                .map(l -> NdjsonFiles.subcategory(mapper.readTree(l))).toList(), is(data.subcategories()));
        assertThat(lines(dir.resolve(NdjsonFiles.COMPANIES)).stream().map(l -> NdjsonFiles.company(mapper.readTree(l)))
                .toList(), is(data.companies()));
        JsonNode manifest = mapper.readTree(dir.resolve(NdjsonFiles.MANIFEST).toFile());
        assertThat(manifest.get("seed").asLong(), is(5L));
    }

    @Test
    void aSignalFileWithAnotherDayIsRejected(@TempDir Path dir) throws IOException {
        Path file = NdjsonFiles.signalFile(dir, LocalDate.of(2026, 1, 1));
        Files.writeString(file, "{\"profile_id\":1,\"topic_key\":2,\"score\":3,\"impressions\":4,\"event_day\":\"2026-01-02\"}\n");
        Iterator<Upstream.Signal> it = NdjsonFiles.readSignals(file, LocalDate.of(2026, 1, 1));
        try {
            it.hasNext();
            throw new AssertionError("accepted a signal of another day");
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage().contains("2026-01-02"), is(true));
        }
    }

    private static List<String> lines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.toList();
        }
    }
}
