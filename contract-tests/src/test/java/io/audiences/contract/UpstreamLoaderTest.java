package io.audiences.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.upstream.NdjsonFiles;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.Upstream;
import io.audiences.server.upstream.UpstreamWriter;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** NDJSON files in, database rows out: a directory load, an idempotent day reload, a late day landing. */
class UpstreamLoaderTest extends ServerTestBase {

    private static final LocalDate END = LocalDate.of(2026, 3, 10);

    @Test
    void loadReloadAndLandALateDay() throws IOException, SQLException {
        SyntheticData data = new SyntheticData(new SyntheticData.Spec(99, 300, 5, END, 2_500, 80));
        Path dir = Files.createTempDirectory(dataDir, "ndjson");
        NdjsonFiles.write(data, dir, Progress.silent());
        UpstreamWriter writer = new UpstreamWriter(app.database(), Clock.SYSTEM);
        List<LocalDate> days = data.days();
        LocalDate late = END;

        // Everything but the newest day (late data).
        UpstreamWriter.Counts counts = NdjsonFiles.load(writer, dir, Optional.empty(), Optional.of(END.minusDays(1)),
                Progress.silent());
        assertThat(counts.landedDays(), is(days.subList(0, 4)));
        assertThat(scalar("SELECT COUNT(*) FROM taxonomy_category"), is((long) data.categories().size()));
        assertThat(scalar("SELECT COUNT(*) FROM taxonomy_subcategory"), is((long) data.subcategories().size()));
        assertThat(scalar("SELECT COUNT(*) FROM taxonomy_topic"), is((long) data.topics().size()));
        assertThat(scalar("SELECT COUNT(*) FROM company"), is((long) data.companies().size()));
        long records = list(data.records()).size();
        assertThat(scalar("SELECT COUNT(*) FROM contact_record"), is(records));
        assertThat(writer.landedDays(), is(days.subList(0, 4)));
        long before = 0;
        for (LocalDate day : days.subList(0, 4)) {
            assertThat(UpstreamFixture.storedSignals(app.database(), day), is(sorted(list(data.signals(day)))));
            before += list(data.signals(day)).size();
        }
        assertThat(counts.signals(), is(before));
        assertThat(scalar("SELECT COUNT(*) FROM intent_signal WHERE event_day = DATE '" + late + "'"), is(0L));
        assertThat(indexExists(), is(true));

        // Reloading a day replaces it: same rows, a newer landed_at.
        LocalDate again = days.get(2);
        Instant firstLanding = landedAt(again);
        NdjsonFiles.load(writer, dir, Optional.of(again), Optional.empty(), Progress.silent());
        assertThat(UpstreamFixture.storedSignals(app.database(), again), is(sorted(list(data.signals(again)))));
        assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(before));
        assertThat(scalar("SELECT signal_count FROM upstream_partition WHERE event_day = DATE '" + again + "'"),
                is((long) list(data.signals(again)).size()));
        assertThat(landedAt(again).isBefore(firstLanding), is(false));

        // Reloading the whole directory is idempotent too (entities upserted, days replaced).
        NdjsonFiles.load(writer, dir, Optional.empty(), Optional.of(END.minusDays(1)), Progress.silent());
        assertThat(scalar("SELECT COUNT(*) FROM contact_record"), is(records));
        assertThat(scalar("SELECT COUNT(*) FROM taxonomy_topic"), is((long) data.topics().size()));
        assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(before));
        assertThat(writer.landedDays(), is(days.subList(0, 4)));

        // The late day lands.
        long lateCount = list(data.signals(late)).size();
        assertThat(lateCount, greaterThan(0L));
        NdjsonFiles.load(writer, dir, Optional.of(late), Optional.empty(), Progress.silent());
        assertThat(writer.landedDays(), is(days));
        assertThat(UpstreamFixture.storedSignals(app.database(), late), is(sorted(list(data.signals(late)))));
        assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(before + lateCount));

        // A broken day file rolls its day back: the landed rows stay as they were.
        LocalDate first = days.getFirst();
        Instant landed = landedAt(first);
        Path broken = Files.createTempDirectory(dataDir, "broken");
        Files.writeString(NdjsonFiles.signalFile(broken, first), "{\"profile_id\":1,\"topic_key\":2,\"score\":3,"
                + "\"impressions\":1}\n{\"profile_id\":1,\"topic_key\":2,\"score\":300,\"impressions\":1}\n");
        try {
            NdjsonFiles.load(writer, broken, Optional.of(first), Optional.empty(), Progress.silent());
            throw new AssertionError("a score of 300 was accepted");
        } catch (IllegalArgumentException expected) {
            // the day's transaction rolled back
        }
        assertThat(UpstreamFixture.storedSignals(app.database(), first), is(sorted(list(data.signals(first)))));
        assertThat(landedAt(first), is(landed));
    }

    private static <T> List<T> list(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static final Comparator<Upstream.Signal> ORDER = Comparator.comparingLong(Upstream.Signal::profileId)
            .thenComparingInt(Upstream.Signal::topicKey);

    private static List<Upstream.Signal> sorted(List<Upstream.Signal> signals) {
        return signals.stream().sorted(ORDER).toList();
    }

    private Instant landedAt(LocalDate day) throws SQLException {
        try (Connection c = app.database().connection();
             PreparedStatement ps = c.prepareStatement("SELECT landed_at FROM upstream_partition WHERE event_day = ?")) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Timestamps.instant(rs.getObject(1));
            }
        }
    }

    private boolean indexExists() throws SQLException {
        try (Connection c = app.database().connection();
             ResultSet rs = c.getMetaData().getIndexInfo(null, null, "intent_signal", false, false)) {
            while (rs.next()) {
                if ("intent_signal_covering".equalsIgnoreCase(rs.getString("INDEX_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private long scalar(String sql) throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
