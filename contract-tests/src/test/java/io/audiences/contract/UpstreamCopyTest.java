package io.audiences.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.audiences.server.platform.Clock;
import io.audiences.server.upstream.NdjsonFiles;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.Upstream;
import io.audiences.server.upstream.UpstreamWriter;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * The PostgreSQL COPY path against the portable batched-INSERT path: the same files give the same rows (counts,
 * checksums, every column of every row, values that COPY's text format must escape), and re-loading a day replaces
 * exactly that day with either. On H2 only the INSERT path exists; its rows are checked against the generator.
 */
class UpstreamCopyTest extends ServerTestBase {

    private static final LocalDate END = LocalDate.of(2026, 4, 30);
    private static final SyntheticData DATA = new SyntheticData(new SyntheticData.Spec(17, 400, 30, END, 6_000, 90));
    /** A record whose text needs escaping in COPY's text format; NULL and the empty string must stay apart. */
    private static final long ODD_ID = 999_999_990L;
    private static final String ODD_RECORD = "{\"id\":" + ODD_ID + ",\"profile_id\":99999999,\"first_name\":\"Tab\\there\","
            + "\"last_name\":\"back\\\\slash \\\\N\",\"job_title\":\"line\\nbreak\\r\\nend\",\"department\":\"\","
            + "\"personal_city\":\"Zürich \uD83D\uDE80 Ω\",\"has_children\":false,\"age_bucket\":0}\n";

    private List<UpstreamWriter.Method> methods() {
        return TestDatabase.postgres() ? List.of(UpstreamWriter.Method.COPY, UpstreamWriter.Method.INSERT)
                : List.of(UpstreamWriter.Method.INSERT);
    }

    @Test
    void copyAndInsertLoadIdenticalRows() throws Exception {
        Path dir = files();
        Map<UpstreamWriter.Method, Map<String, List<String>>> dumps = new LinkedHashMap<>();
        for (UpstreamWriter.Method method : methods()) {
            wipe();
            UpstreamWriter.Counts counts = NdjsonFiles.load(writer(method), dir, Optional.empty(), Optional.empty(),
                    Progress.silent());
            long records = count(DATA.records()) + 1;
            assertThat(method + " records", counts.records(), is(records));
            assertThat(method + " signals", counts.signals(), is(expectedSignals().getFirst()));
            assertThat(scalar("SELECT COUNT(*) FROM contact_record"), is(records));
            assertThat(scalar("SELECT COUNT(*) FROM taxonomy_topic"), is((long) DATA.topics().size()));
            assertThat(scalar("SELECT COUNT(*) FROM company"), is((long) DATA.companies().size()));
            assertThat(method + " signal checksum", signalChecksum(""), is(expectedSignals()));
            assertThat(method + " record checksum", recordChecksum(), is(expectedRecords()));
            assertOddRecord();
            dumps.put(method, dump());
        }
        if (dumps.size() == 2) {
            Map<String, List<String>> copy = dumps.get(UpstreamWriter.Method.COPY);
            Map<String, List<String>> insert = dumps.get(UpstreamWriter.Method.INSERT);
            for (String table : copy.keySet()) {
                assertThat(table + " rows", copy.get(table).size(), is(insert.get(table).size()));
                assertThat(table + " identical", copy.get(table).equals(insert.get(table)), is(true));
            }
        }
    }

    @Test
    void reloadingADayReplacesItExactly() throws Exception {
        Path dir = files();
        LocalDate day = END.minusDays(9);
        List<Upstream.Signal> original = sorted(list(DATA.signals(day)));
        // The new version of the day: every other signal, scores changed, plus one signal the day did not have.
        List<Upstream.Signal> changed = new ArrayList<>();
        for (int i = 0; i < original.size(); i += 2) {
            Upstream.Signal s = original.get(i);
            changed.add(new Upstream.Signal(s.profileId(), s.topicKey(), day, (s.score() + 1) % 101, s.impressions()));
        }
        changed.add(new Upstream.Signal(987_654, 1, day, 77, 3));
        changed = sorted(changed);
        Path changedDir = Files.createTempDirectory(dataDir, "changed");
        writeSignals(NdjsonFiles.signalFile(changedDir, day), changed);
        for (UpstreamWriter.Method method : methods()) {
            wipe();
            UpstreamWriter writer = writer(method);
            NdjsonFiles.load(writer, dir, Optional.empty(), Optional.empty(), Progress.silent());
            String otherDays = " WHERE event_day <> DATE '" + day + "'";
            List<Long> others = signalChecksum(otherDays);
            long total = scalar("SELECT COUNT(*) FROM intent_signal");
            assertThat(UpstreamFixture.storedSignals(app.database(), day), is(original));

            NdjsonFiles.load(writer, changedDir, Optional.of(day), Optional.empty(), Progress.silent());
            assertThat(method + ": the day is the new file", UpstreamFixture.storedSignals(app.database(), day),
                    is(changed));
            assertThat(method + ": other days untouched", signalChecksum(otherDays), is(others));
            assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(total - original.size() + changed.size()));
            assertThat(scalar("SELECT signal_count FROM upstream_partition WHERE event_day = DATE '" + day + "'"),
                    is((long) changed.size()));

            // Twice the same file: no duplicates.
            NdjsonFiles.load(writer, dir, Optional.of(day), Optional.empty(), Progress.silent());
            NdjsonFiles.load(writer, dir, Optional.of(day), Optional.empty(), Progress.silent());
            assertThat(method + ": back to the original", UpstreamFixture.storedSignals(app.database(), day), is(original));
            assertThat(scalar("SELECT COUNT(*) FROM intent_signal"), is(total));
            assertThat(signalChecksum(""), is(expectedSignals()));
            assertThat(scalar("SELECT COUNT(*) FROM upstream_partition"), is(30L));
        }
    }

    /** The day's delete reaches its rows through the day index, not by scanning every day (V12). */
    @Test
    void deletingADaySeeksItsRows() throws Exception {
        wipe();
        NdjsonFiles.load(writer(methods().getFirst()), files(), Optional.empty(), Optional.empty(), Progress.silent());
        String plan;
        try (Connection c = app.database().connection(); Statement st = c.createStatement()) {
            if (TestDatabase.postgres()) {
                // At this size a scan is as cheap as a seek; the point is that a seek by day exists.
                st.execute("SET enable_seqscan = off");
            }
            StringBuilder sb = new StringBuilder();
            try (ResultSet rs = st.executeQuery("EXPLAIN DELETE FROM intent_signal WHERE event_day = DATE '" + END + "'")) {
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('\n');
                }
            }
            plan = sb.toString();
            if (TestDatabase.postgres()) {
                st.execute("RESET enable_seqscan");
            }
        }
        assertThat(plan, containsString("intent_signal_day"));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private UpstreamWriter writer(UpstreamWriter.Method method) {
        UpstreamWriter writer = new UpstreamWriter(app.database(), Clock.SYSTEM, method);
        assertThat(writer.method(), is(method));
        return writer;
    }

    private Path files() throws IOException {
        Path dir = Files.createTempDirectory(dataDir, "ndjson");
        NdjsonFiles.write(DATA, dir, Progress.silent());
        Files.writeString(dir.resolve(NdjsonFiles.RECORDS), ODD_RECORD, StandardOpenOption.APPEND);
        return dir;
    }

    private static void writeSignals(Path file, List<Upstream.Signal> signals) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Upstream.Signal s : signals) {
            sb.append("{\"profile_id\":").append(s.profileId()).append(",\"topic_key\":").append(s.topicKey())
                    .append(",\"score\":").append(s.score()).append(",\"impressions\":").append(s.impressions()).append("}\n");
        }
        Files.writeString(file, sb);
    }

    /** Every upstream table emptied, children first. */
    private void wipe() throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement()) {
            for (String table : List.of("intent_signal", "upstream_partition", "contact_record", "company", "taxonomy_topic",
                    "taxonomy_subcategory", "taxonomy_category")) {
                st.executeUpdate("DELETE FROM " + table);
            }
        }
    }

    /** {count, sum of profile ids, sum of topic x score, sum of impressions x day of month}. */
    private List<Long> signalChecksum(String where) throws SQLException {
        return row("SELECT COUNT(*), SUM(profile_id), SUM(topic_key * score), SUM(impressions * EXTRACT(DAY FROM event_day)) "
                + "FROM intent_signal" + where);
    }

    private static List<Long> expectedSignals() {
        long[] sums = new long[4];
        for (LocalDate day : DATA.days()) {
            for (Iterator<Upstream.Signal> it = DATA.signals(day); it.hasNext();) {
                Upstream.Signal s = it.next();
                sums[0]++;
                sums[1] += s.profileId();
                sums[2] += (long) s.topicKey() * s.score();
                sums[3] += (long) s.impressions() * day.getDayOfMonth();
            }
        }
        return List.of(sums[0], sums[1], sums[2], sums[3]);
    }

    /** {count, sum of profile ids, sum of company ids, sum of first-name lengths, emails present, with children}. */
    private List<Long> recordChecksum() throws SQLException {
        return row("SELECT COUNT(*), SUM(profile_id), SUM(COALESCE(company_id, 0)), SUM(LENGTH(first_name)), "
                + "COUNT(personal_email), SUM(CASE WHEN has_children THEN 1 ELSE 0 END) FROM contact_record WHERE id <> "
                + ODD_ID);
    }

    private static List<Long> expectedRecords() {
        long[] sums = new long[6];
        for (Iterator<Upstream.ContactRecord> it = DATA.records(); it.hasNext();) {
            Upstream.ContactRecord r = it.next();
            sums[0]++;
            sums[1] += r.profileId();
            sums[2] += r.companyId() == null ? 0 : r.companyId();
            sums[3] += r.firstName() == null ? 0 : r.firstName().length();
            sums[4] += r.personalEmail() == null ? 0 : 1;
            sums[5] += Boolean.TRUE.equals(r.hasChildren()) ? 1 : 0;
        }
        return List.of(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]);
    }

    private void assertOddRecord() throws SQLException {
        try (Connection c = app.database().connection();
             PreparedStatement ps = c.prepareStatement("SELECT first_name, last_name, job_title, department, personal_city, "
                     + "personal_email, has_children, age_bucket, company_id FROM contact_record WHERE id = ?")) {
            ps.setLong(1, ODD_ID);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next(), is(true));
                assertThat(rs.getString(1), is("Tab\there"));
                assertThat(rs.getString(2), is("back\\slash \\N"));
                assertThat(rs.getString(3), is("line\nbreak\r\nend"));
                assertThat(rs.getString(4), is(""));
                assertThat(rs.getString(5), is("Zürich \uD83D\uDE80 Ω"));
                assertThat(rs.getString(6), is((String) null));
                assertThat(rs.getBoolean(7), is(false));
                assertThat(rs.wasNull(), is(false));
                assertThat(rs.getInt(8), is(0));
                assertThat(rs.getObject(9), is((Object) null));
            }
        }
    }

    /** Every row of every upstream table as text, in key order (landed_at aside: it is the time of the load). */
    private Map<String, List<String>> dump() throws SQLException {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("taxonomy_category", "SELECT * FROM taxonomy_category ORDER BY id");
        queries.put("taxonomy_subcategory", "SELECT * FROM taxonomy_subcategory ORDER BY id");
        queries.put("taxonomy_topic", "SELECT * FROM taxonomy_topic ORDER BY id");
        queries.put("company", "SELECT * FROM company ORDER BY id");
        queries.put("contact_record", "SELECT * FROM contact_record ORDER BY id");
        queries.put("intent_signal", "SELECT * FROM intent_signal ORDER BY event_day, profile_id, topic_key");
        queries.put("upstream_partition", "SELECT event_day, signal_count FROM upstream_partition ORDER BY event_day");
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Connection c = app.database().connection(); Statement st = c.createStatement()) {
            for (Map.Entry<String, String> q : queries.entrySet()) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(q.getValue())) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 1; i <= columns; i++) {
                            sb.append(rs.getString(i)).append('|');
                        }
                        rows.add(sb.toString());
                    }
                }
                assertThat(q.getKey(), rows.size(), greaterThan(0));
                out.put(q.getKey(), rows);
            }
        }
        return out;
    }

    private static final Comparator<Upstream.Signal> ORDER = Comparator.comparingLong(Upstream.Signal::profileId)
            .thenComparingInt(Upstream.Signal::topicKey);

    private static List<Upstream.Signal> sorted(List<Upstream.Signal> signals) {
        Set<String> seen = new HashSet<>();
        for (Upstream.Signal s : signals) {
            assertThat("the fixture has no duplicate (profile, topic)", seen.add(s.profileId() + "/" + s.topicKey()), is(true));
        }
        return signals.stream().sorted(ORDER).toList();
    }

    private static <T> List<T> list(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static long count(Iterator<?> it) {
        long n = 0;
        for (; it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    private List<Long> row(String sql) throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            List<Long> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getLong(i));
            }
            return out;
        }
    }

    private long scalar(String sql) throws SQLException {
        return row(sql).getFirst();
    }
}
