package io.audiences.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.audiences.server.Application;
import io.audiences.server.platform.Clock;
import io.audiences.server.upstream.NdjsonFiles;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.UpstreamWriter;

/**
 * {@code bin/bench --load}: the upstream loader ({@code load --dir}) on the NDJSON files of the set, timed per phase,
 * against, in the same run and on the same rows:
 * <ul>
 *     <li>PostgreSQL: {@code psql \copy} of the same rows from text files (PostgreSQL's own COPY text format, written
 *     by {@code \copy ... TO} from the loaded tables, so they hold exactly the rows the NDJSON files gave), into the
 *     same tables in the same state (records: empty table with its keys and indexes; signals: empty table, indexes
 *     dropped, as the loader does), and the old batched-INSERT path of the loader on the same files;</li>
 *     <li>replacing one day of a full table, with the day index and without it (what the delete cost before).</li>
 * </ul>
 */
final class LoadBench {

    private static final String RECORD_COLUMNS = "id, profile_id, company_id, first_name, last_name, gender, age_bucket, "
            + "job_title, job_title_normalized, department, seniority_level, income_bucket, net_worth_bucket, has_children, "
            + "is_homeowner, is_married, linkedin_url, personal_email, current_business_email, mobile_phone, personal_city, "
            + "personal_state, personal_state_code, personal_zip, personal_country";
    private static final String SIGNAL_COLUMNS = "profile_id, topic_key, event_day, score, impressions";

    private final Application app;
    private final SyntheticData data;
    private final boolean postgres;
    private final String pgDatabase;
    private final Path dir;

    LoadBench(Application app, SyntheticData data, boolean postgres, String pgDatabase, Path workDir) {
        this.app = app;
        this.data = data;
        this.postgres = postgres;
        this.pgDatabase = pgDatabase;
        this.dir = workDir.resolve("upstream");
    }

    void run() throws Exception {
        long started = System.nanoTime();
        long signals = NdjsonFiles.write(data, dir, Progress.silent());
        System.out.printf(Locale.ROOT, "%nNDJSON files of %,d signals written in %.1f s (%,d MB)%n", signals,
                seconds(started), size(dir) >> 20);
        List<Progress.Phase> ours = load(new UpstreamWriter(app.database(), Clock.SYSTEM));
        String engine = postgres ? "PostgreSQL" : "H2";
        System.out.printf(Locale.ROOT, "%n%-44s %12s %10s %14s%n", "load --dir, " + engine + " (" + method() + ")", "rows",
                "s", "rows/s");
        ours.forEach(LoadBench::print);
        if (postgres) {
            List<Progress.Phase> psql = psqlCopy();
            System.out.printf(Locale.ROOT, "%n%-44s %12s %10s %14s%n", "psql \\copy of the same rows", "rows", "s", "rows/s");
            psql.forEach(LoadBench::print);
            ratio("records: loader / psql \\copy", phase(ours, "records"), phase(psql, "records"));
            ratio("signals: loader / psql \\copy", phase(ours, "signals"), phase(psql, "signals"));

            truncate();
            List<Progress.Phase> insert = load(new UpstreamWriter(app.database(), Clock.SYSTEM, UpstreamWriter.Method.INSERT));
            System.out.printf(Locale.ROOT, "%n%-44s %12s %10s %14s%n", "before: batched INSERT path, same files", "rows",
                    "s", "rows/s");
            insert.forEach(LoadBench::print);
            ratio("records: INSERT path / psql \\copy", phase(insert, "records"), phase(psql, "records"));
            ratio("signals: INSERT path / psql \\copy", phase(insert, "signals"), phase(psql, "signals"));
            ratio("signals: COPY path / INSERT path", phase(ours, "signals"), phase(insert, "signals"));
            ratio("records: COPY path / INSERT path", phase(ours, "records"), phase(insert, "records"));
        }
        replaceDay();
    }

    private String method() {
        return postgres ? "COPY" : "batched INSERT";
    }

    /** The whole directory through the loader into empty upstream tables; returns its phases. */
    private List<Progress.Phase> load(UpstreamWriter writer) throws IOException, SQLException {
        Progress progress = Progress.to(System.err);
        long started = System.nanoTime();
        UpstreamWriter.Counts counts = NdjsonFiles.load(writer, dir, Optional.empty(), Optional.empty(), progress);
        progress.finish();
        List<Progress.Phase> phases = new ArrayList<>(progress.phases());
        phases.add(new Progress.Phase("total (entities, records, signals, indexes)", counts.signals() + counts.records(),
                seconds(started)));
        return phases;
    }

    /**
     * Exports the loaded rows as COPY text files, empties the two big tables, and times {@code psql \copy} of the
     * files into them (records first, then every day file in one psql session), then the index build.
     */
    private List<Progress.Phase> psqlCopy() throws Exception {
        Path tsv = Files.createDirectories(dir.resolve("tsv"));
        StringBuilder export = new StringBuilder();
        export.append("\\copy contact_record (").append(RECORD_COLUMNS).append(") TO '").append(tsv.resolve("records.tsv"))
                .append("'\n");
        StringBuilder load = new StringBuilder();
        for (LocalDate day : data.days()) {
            Path file = tsv.resolve("signals-" + day + ".tsv");
            export.append("\\copy (SELECT ").append(SIGNAL_COLUMNS).append(" FROM intent_signal WHERE event_day = DATE '")
                    .append(day).append("') TO '").append(file).append("'\n");
            load.append("\\copy intent_signal (").append(SIGNAL_COLUMNS).append(") FROM '").append(file).append("'\n");
        }
        psql(export.toString());
        truncate();
        List<Progress.Phase> phases = new ArrayList<>();
        long started = System.nanoTime();
        psql("\\copy contact_record (" + RECORD_COLUMNS + ") FROM '" + tsv.resolve("records.tsv") + "'\n");
        phases.add(new Progress.Phase("records", count("contact_record"), seconds(started)));
        started = System.nanoTime();
        psql(load.toString());
        phases.add(new Progress.Phase("signals", count("intent_signal"), seconds(started)));
        started = System.nanoTime();
        new UpstreamWriter(app.database(), Clock.SYSTEM).ensureIndex();
        phases.add(new Progress.Phase("signal indexes built and analyzed", 0, seconds(started)));
        return phases;
    }

    /** Empties the record and signal tables and drops the signal indexes (as before a bulk load). */
    private void truncate() throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE intent_signal, contact_record");
            st.execute("DROP INDEX IF EXISTS intent_signal_covering");
            st.execute("DROP INDEX IF EXISTS intent_signal_day");
        }
    }

    /** Replaces the newest day in the full table from its file: with the day index, then without it (as before). */
    private void replaceDay() throws Exception {
        LocalDate day = data.spec().endDay();
        UpstreamWriter writer = new UpstreamWriter(app.database(), Clock.SYSTEM);
        long total = count("intent_signal");
        double with = Double.MAX_VALUE;
        long rows = 0;
        for (int rep = 0; rep < 2; rep++) {
            long started = System.nanoTime();
            rows = NdjsonFiles.load(writer, dir, Optional.of(day), Optional.empty(), Progress.silent()).signals();
            with = Math.min(with, seconds(started));
        }
        double without = Double.MAX_VALUE;
        try (Connection c = app.database().connection(); Statement st = c.createStatement()) {
            st.execute("DROP INDEX intent_signal_day");
        }
        try {
            for (int rep = 0; rep < 2; rep++) {
                long started = System.nanoTime();
                NdjsonFiles.load(writer, dir, Optional.of(day), Optional.empty(), Progress.silent());
                without = Math.min(without, seconds(started));
            }
        } finally {
            writer.ensureIndex();
        }
        System.out.printf(Locale.ROOT, "%nreplace one day (%,d signals) in a table of %,d (best of 2): %.2f s, %,.0f rows/s; "
                + "without the day index (before) %.2f s -> %.2fx faster%n", rows, total, with, rows / with, without,
                without / with);
    }

    private void psql(String script) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, "psql", ".sql");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U",
                "postgres", "-d", pgDatabase, "-f", file.toString()).inheritIO();
        String password = System.getenv("AUDIENCES_TEST_PG_PASSWORD");
        if (password != null) {
            pb.environment().put("PGPASSWORD", password);
        }
        int exit = pb.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("psql failed (" + exit + ") on " + file);
        }
    }

    private long count(String table) throws SQLException {
        try (Connection c = app.database().connection(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Progress.Phase phase(List<Progress.Phase> phases, String label) {
        return phases.stream().filter(p -> p.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no phase " + label + " in " + phases));
    }

    private static void print(Progress.Phase p) {
        System.out.printf(Locale.ROOT, "%-44s %,12d %10.2f %14s%n", p.label(), p.rows(), p.seconds(),
                p.rows() == 0 ? "-" : String.format(Locale.ROOT, "%,.0f", p.rows() / p.seconds()));
    }

    private static void ratio(String label, Progress.Phase a, Progress.Phase b) {
        System.out.printf(Locale.ROOT, "%-44s %.2f (%,.0f vs %,.0f rows/s)%n", label,
                (a.rows() / a.seconds()) / (b.rows() / b.seconds()), a.rows() / a.seconds(), b.rows() / b.seconds());
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }

    private static long size(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
