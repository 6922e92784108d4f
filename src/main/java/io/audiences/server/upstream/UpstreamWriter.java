package io.audiences.server.upstream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;

/**
 * Writes upstream data. A day of signals is replaced (delete the day, insert, upsert its {@code upstream_partition}
 * row) in one transaction, so a day is visible to builds only once complete; a day counts as landed only when its
 * partition row exists. The delete finds the day through {@code intent_signal_day}, so replacing a day costs the
 * day's rows, not the table's.
 *
 * <p>Two ways in ({@link Method}): on PostgreSQL, {@code COPY ... FROM STDIN} through pgjdbc's copy API (signals
 * straight into the table; entities straight in when the table is empty, otherwise through a temporary table and one
 * {@code INSERT ... ON CONFLICT DO UPDATE}); on H2 (and on PostgreSQL on request, for comparison), portable JDBC
 * batches: multi-row {@code INSERT}s, upserts as a batched {@code UPDATE} followed by an {@code INSERT} of the rows it
 * did not find.
 *
 * <p>Bulk loads into an empty signal table drop the signal indexes first and rebuild them at the end (H2 inserts about
 * 20x faster without them); {@link #ensureIndex()} recreates them if a load died in between.
 */
public final class UpstreamWriter {

    /** Rows per JDBC batch. */
    public static final int BATCH = 10_000;
    /** Signals per multi-row INSERT statement (5 parameters each). */
    private static final int ROWS_PER_INSERT = 200;
    /** The covering index of {@code V2__upstream.sql}, dropped and rebuilt around bulk loads. */
    static final String SIGNAL_INDEX = "intent_signal_covering";
    /** The day index of {@code V12__signal_day_index.sql}, likewise. */
    static final String DAY_INDEX = "intent_signal_day";
    private static final List<String> SIGNAL_INDEX_DDL = List.of(
            "CREATE INDEX IF NOT EXISTS " + SIGNAL_INDEX + " ON intent_signal (topic_key, event_day, profile_id, score, impressions)",
            "CREATE INDEX IF NOT EXISTS " + DAY_INDEX + " ON intent_signal (event_day)");
    private static final String SIGNAL_COLUMNS = "profile_id, topic_key, event_day, score, impressions";

    /** How rows reach the database. */
    public enum Method {
        /** PostgreSQL only: {@code COPY ... FROM STDIN}. */
        COPY,
        /** Portable batched {@code INSERT}s and {@code UPDATE}s. */
        INSERT
    }

    private final Database db;
    private final Clock clock;
    private final Method method;

    /** A writer that uses the fastest method of the database: COPY on PostgreSQL, batched inserts on H2. */
    public UpstreamWriter(Database db, Clock clock) {
        this(db, clock, db.isPostgres() ? Method.COPY : Method.INSERT);
    }

    public UpstreamWriter(Database db, Clock clock, Method method) {
        if (method == Method.COPY && !db.isPostgres()) {
            throw new IllegalArgumentException("COPY needs PostgreSQL");
        }
        this.db = db;
        this.clock = clock;
        this.method = method;
    }

    public Method method() {
        return method;
    }

    /** What a load wrote. */
    public record Counts(long categories, long subcategories, long topics, long companies, long records, long signals,
                         List<LocalDate> landedDays) { }

    // ------------------------------------------------------------------------------------------- generated sets

    /**
     * Writes a whole generated set: taxonomy, companies and records upserted, then every day of signals except the
     * newest {@code unlandedNewest} days, which are left out entirely (late data: land them with {@link #landDay}).
     */
    public Counts write(SyntheticData data, int unlandedNewest, Progress progress) throws SQLException {
        long records;
        upsertTaxonomy(data.categories(), data.subcategories(), data.topics());
        upsertCompanies(data.companies().iterator());
        progress.phase("records", data.expectedRecords());
        records = upsertRecords(data.records(), progress);
        List<LocalDate> days = data.days();
        List<LocalDate> landed = days.subList(0, Math.max(0, days.size() - Math.max(0, unlandedNewest)));
        long perDay = data.spec().signals() / data.spec().days();
        progress.phase("signals", perDay * landed.size());
        long signals = loadDays(landed, data::signals, progress, false);
        return new Counts(data.categories().size(), data.subcategories().size(), data.topics().size(),
                data.companies().size(), records, signals, List.copyOf(landed));
    }

    /** Lands one day of a generated set (late data): replaces its signals and marks it landed now. */
    public long landDay(SyntheticData data, LocalDate day) throws SQLException {
        return replaceDay(day, data.signals(day), Progress.silent());
    }

    // ------------------------------------------------------------------------------------------- entities

    public void upsertTaxonomy(List<Upstream.Category> categories, List<Upstream.Subcategory> subcategories,
                               List<Upstream.Topic> topics) throws SQLException {
        upsert(CATEGORY, categories.iterator(), Progress.silent());
        upsert(SUBCATEGORY, subcategories.iterator(), Progress.silent());
        upsert(TOPIC, topics.iterator(), Progress.silent());
    }

    public long upsertCategories(Iterator<Upstream.Category> rows) throws SQLException {
        return upsert(CATEGORY, rows, Progress.silent());
    }

    public long upsertSubcategories(Iterator<Upstream.Subcategory> rows) throws SQLException {
        return upsert(SUBCATEGORY, rows, Progress.silent());
    }

    public long upsertTopics(Iterator<Upstream.Topic> rows) throws SQLException {
        return upsert(TOPIC, rows, Progress.silent());
    }

    public long upsertCompanies(Iterator<Upstream.Company> rows) throws SQLException {
        return upsert(COMPANY, rows, Progress.silent());
    }

    public long upsertRecords(Iterator<Upstream.ContactRecord> rows, Progress progress) throws SQLException {
        return upsert(RECORD, rows, progress);
    }

    /** A table's columns, key column first, and how a row gives their values in that order. */
    private record Table<T>(String name, List<String> columns, Function<T, Object[]> values) {

        String update() {
            StringBuilder sb = new StringBuilder("UPDATE ").append(name).append(" SET ");
            for (int i = 1; i < columns.size(); i++) {
                sb.append(i > 1 ? ", " : "").append(columns.get(i)).append(" = ?");
            }
            return sb.append(" WHERE ").append(columns.getFirst()).append(" = ?").toString();
        }

        /** A multi-row INSERT of {@code rows} rows (far fewer round trips and statements than one row each). */
        String insert(int rows) {
            String row = "(" + "?, ".repeat(columns.size() - 1) + "?)";
            return "INSERT INTO " + name + " (" + String.join(", ", columns) + ") VALUES "
                    + (row + ", ").repeat(rows - 1) + row;
        }
    }

    private static final Table<Upstream.Category> CATEGORY = new Table<>("taxonomy_category",
            List.of("id", "name", "description", "status", "created_at", "updated_at"),
            c -> new Object[] {c.id(), c.name(), c.description(), c.status(), ts(c.createdAt()), ts(c.updatedAt())});
    private static final Table<Upstream.Subcategory> SUBCATEGORY = new Table<>("taxonomy_subcategory",
            List.of("id", "category_id", "name", "description", "status", "created_at", "updated_at"),
            s -> new Object[] {s.id(), s.categoryId(), s.name(), s.description(), s.status(), ts(s.createdAt()),
                ts(s.updatedAt())});
    private static final Table<Upstream.Topic> TOPIC = new Table<>("taxonomy_topic",
            List.of("id", "topic_key", "subcategory_id", "name", "description", "keywords", "topic_type", "status",
                    "created_at", "updated_at"),
            t -> new Object[] {t.id(), t.topicKey(), t.subcategoryId(), t.name(), t.description(), t.keywords(),
                t.topicType(), t.status(), ts(t.createdAt()), ts(t.updatedAt())});
    private static final Table<Upstream.Company> COMPANY = new Table<>("company",
            List.of("id", "name", "domain", "industry", "employee_bucket", "revenue_bucket", "country", "state"),
            c -> new Object[] {c.id(), c.name(), c.domain(), c.industry(), small(c.employeeBucket()), small(c.revenueBucket()),
                c.country(), c.state()});
    private static final Table<Upstream.ContactRecord> RECORD = new Table<>("contact_record",
            List.of("id", "profile_id", "company_id", "first_name", "last_name", "gender", "age_bucket", "job_title",
                    "job_title_normalized", "department", "seniority_level", "income_bucket", "net_worth_bucket",
                    "has_children", "is_homeowner", "is_married", "linkedin_url", "personal_email", "current_business_email",
                    "mobile_phone", "personal_city", "personal_state", "personal_state_code", "personal_zip",
                    "personal_country"),
            r -> new Object[] {r.id(), r.profileId(), r.companyId(), r.firstName(), r.lastName(), r.gender(),
                small(r.ageBucket()), r.jobTitle(), r.jobTitleNormalized(), r.department(), r.seniorityLevel(),
                small(r.incomeBucket()), small(r.netWorthBucket()), r.hasChildren(), r.isHomeowner(), r.isMarried(),
                r.linkedinUrl(), r.personalEmail(), r.currentBusinessEmail(), r.mobilePhone(), r.personalCity(),
                r.personalState(), r.personalStateCode(), r.personalZip(), r.personalCountry()});

    private static Object ts(Instant instant) {
        return Timestamps.param(instant);
    }

    private static Object small(Integer value) {
        return value == null ? null : value.shortValue();
    }

    /** Upserts {@code rows} into {@code table} by the writer's method; returns how many were written. */
    private <T> long upsert(Table<T> table, Iterator<T> rows, Progress progress) throws SQLException {
        long written = method == Method.COPY ? copyUpsert(table, rows, progress) : batchUpsert(table, rows, progress);
        if (written > 0) {
            // Fresh planner statistics before the next build reads the table: right after a first load PostgreSQL
            // still estimated an empty contact_record (autovacuum analyzes later) and planned the member join badly.
            analyze(table.name());
        }
        return written;
    }

    /**
     * Upserts in batches, committing each: an empty table takes plain inserts; otherwise a batched UPDATE finds the
     * existing rows and the rest are inserted.
     */
    private <T> long batchUpsert(Table<T> table, Iterator<T> rows, Progress progress) throws SQLException {
        long written = 0;
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            boolean empty = isEmpty(c, table.name());
            int rowsPerInsert = Math.max(1, 1000 / table.columns().size());
            try (PreparedStatement update = c.prepareStatement(table.update());
                 PreparedStatement insert = c.prepareStatement(table.insert(1));
                 PreparedStatement multi = c.prepareStatement(table.insert(rowsPerInsert))) {
                List<Object[]> batch = new ArrayList<>(BATCH);
                while (rows.hasNext()) {
                    batch.add(table.values().apply(rows.next()));
                    if (batch.size() == BATCH || !rows.hasNext()) {
                        List<Object[]> missing = batch;
                        if (!empty) {
                            missing = new ArrayList<>();
                            for (Object[] values : batch) {
                                for (int i = 1; i < values.length; i++) {
                                    bind(update, i, values[i]);
                                }
                                bind(update, values.length, values[0]);
                                update.addBatch();
                            }
                            int[] counts = update.executeBatch();
                            for (int i = 0; i < counts.length; i++) {
                                if (counts[i] == 0) {
                                    missing.add(batch.get(i));
                                }
                            }
                        }
                        insertRows(multi, insert, missing, rowsPerInsert);
                        c.commit();
                        written += batch.size();
                        progress.advance(batch.size());
                        batch.clear();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return written;
    }

    /**
     * The COPY upsert, in one transaction: into an empty table the rows are copied straight in; otherwise into a
     * temporary copy of the table, then merged by key with one {@code INSERT ... ON CONFLICT DO UPDATE}.
     */
    private <T> long copyUpsert(Table<T> table, Iterator<T> rows, Progress progress) throws SQLException {
        String columns = String.join(", ", table.columns());
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                boolean empty = isEmpty(c, table.name());
                String target = table.name();
                if (!empty) {
                    target = "upsert_" + table.name();
                    st.execute("CREATE TEMPORARY TABLE " + target + " (LIKE " + table.name() + ") ON COMMIT DROP");
                }
                long written;
                try (CopyText copy = CopyText.start(c, "COPY " + target + " (" + columns + ") FROM STDIN")) {
                    while (rows.hasNext()) {
                        for (Object value : table.values().apply(rows.next())) {
                            copy.value(value);
                        }
                        copy.endRow();
                        if (copy.rows() % BATCH == 0) {
                            progress.advance(BATCH);
                        }
                    }
                    written = copy.finish();
                    progress.advance(written % BATCH);
                }
                if (!empty) {
                    StringBuilder merge = new StringBuilder("INSERT INTO ").append(table.name()).append(" (").append(columns)
                            .append(") SELECT ").append(columns).append(" FROM ").append(target).append(" ON CONFLICT (")
                            .append(table.columns().getFirst()).append(") DO UPDATE SET ");
                    for (int i = 1; i < table.columns().size(); i++) {
                        String col = table.columns().get(i);
                        merge.append(i > 1 ? ", " : "").append(col).append(" = EXCLUDED.").append(col);
                    }
                    st.executeUpdate(merge.toString());
                }
                c.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Inserts rows: full groups through the multi-row statement, the rest one by one, all batched. */
    private static void insertRows(PreparedStatement multi, PreparedStatement single, List<Object[]> rows, int perInsert)
            throws SQLException {
        int full = rows.size() / perInsert * perInsert;
        for (int start = 0; start < full; start += perInsert) {
            int p = 1;
            for (int r = start; r < start + perInsert; r++) {
                for (Object value : rows.get(r)) {
                    bind(multi, p++, value);
                }
            }
            multi.addBatch();
        }
        if (full > 0) {
            multi.executeBatch();
        }
        for (int r = full; r < rows.size(); r++) {
            Object[] values = rows.get(r);
            for (int i = 0; i < values.length; i++) {
                bind(single, i + 1, values[i]);
            }
            single.addBatch();
        }
        if (full < rows.size()) {
            single.executeBatch();
        }
    }

    private static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else {
            ps.setObject(index, value);
        }
    }

    private static boolean isEmpty(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM " + table + " FETCH FIRST 1 ROWS ONLY")) {
            return !rs.next();
        }
    }

    // ------------------------------------------------------------------------------------------- signals

    /**
     * Replaces one day in one transaction: deletes its signals, inserts {@code signals} (all of that day), and
     * upserts its partition row with {@code landed_at} = now. Idempotent: reloading a day gives the same rows.
     *
     * @return the number of signals of the day
     */
    public long replaceDay(LocalDate day, Iterator<Upstream.Signal> signals, Progress progress) throws SQLException {
        return loadDay(day, signals, progress, true, false);
    }

    /**
     * Loads several days, each landed when complete. Into an empty signal table this is a bulk load: the covering
     * index is dropped first and rebuilt at the end, and days are appended without deletes.
     *
     * @param commitPerBatch commit every batch (fastest; a crash leaves a partial, unlanded day that the next load
     *                       replaces) instead of one transaction per day
     */
    public long loadDays(List<LocalDate> days, Function<LocalDate, Iterator<Upstream.Signal>> signals, Progress progress,
                         boolean commitPerBatch) throws SQLException {
        long total = 0;
        boolean bulk = days.size() > 1 && beginBulk();
        try {
            for (LocalDate day : days) {
                total += loadDay(day, signals.apply(day), progress, !bulk, commitPerBatch);
            }
        } finally {
            if (bulk) {
                endBulk(progress);
            }
        }
        return total;
    }

    private long loadDay(LocalDate day, Iterator<Upstream.Signal> signals, Progress progress, boolean delete,
                         boolean commitPerBatch) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                if (delete) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM intent_signal WHERE event_day = ?")) {
                        ps.setObject(1, day);
                        ps.executeUpdate();
                    }
                }
                long n = method == Method.COPY ? copySignals(c, day, signals, progress)
                        : insertSignals(c, day, signals, progress, commitPerBatch);
                markLanded(c, day, n);
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Streams a day's signals into one COPY; a signal of another day cancels it (the caller rolls back). */
    private static long copySignals(Connection c, LocalDate day, Iterator<Upstream.Signal> signals, Progress progress)
            throws SQLException {
        String date = day.toString();
        try (CopyText copy = CopyText.start(c, "COPY intent_signal (" + SIGNAL_COLUMNS + ") FROM STDIN")) {
            while (signals.hasNext()) {
                Upstream.Signal s = signals.next();
                if (!s.eventDay().equals(day)) {
                    throw new IllegalArgumentException("A signal of " + s.eventDay() + " in the partition of " + day);
                }
                copy.number(s.profileId()).number(s.topicKey()).plain(date).number(s.score()).number(s.impressions())
                        .endRow();
                if (copy.rows() % BATCH == 0) {
                    progress.advance(BATCH);
                }
            }
            long n = copy.finish();
            progress.advance(n % BATCH);
            return n;
        }
    }

    private static long insertSignals(Connection c, LocalDate day, Iterator<Upstream.Signal> signals, Progress progress,
                                      boolean commitPerBatch) throws SQLException {
        String multi = "INSERT INTO intent_signal (" + SIGNAL_COLUMNS + ") VALUES "
                + "(?, ?, ?, ?, ?), ".repeat(ROWS_PER_INSERT - 1) + "(?, ?, ?, ?, ?)";
        long n = 0;
        Upstream.Signal[] rows = new Upstream.Signal[ROWS_PER_INSERT];
        int buffered = 0;
        int batched = 0;
        try (PreparedStatement many = c.prepareStatement(multi);
             PreparedStatement one = c.prepareStatement("INSERT INTO intent_signal (" + SIGNAL_COLUMNS
                     + ") VALUES (?, ?, ?, ?, ?)")) {
            while (signals.hasNext()) {
                Upstream.Signal s = signals.next();
                if (!s.eventDay().equals(day)) {
                    throw new IllegalArgumentException("A signal of " + s.eventDay() + " in the partition of " + day);
                }
                rows[buffered++] = s;
                if (buffered == ROWS_PER_INSERT) {
                    for (int i = 0; i < ROWS_PER_INSERT; i++) {
                        bindSignal(many, i * 5, rows[i]);
                    }
                    many.addBatch();
                    buffered = 0;
                    batched += ROWS_PER_INSERT;
                    n += ROWS_PER_INSERT;
                    if (batched >= BATCH) {
                        many.executeBatch();
                        if (commitPerBatch) {
                            c.commit();
                        }
                        progress.advance(batched);
                        batched = 0;
                    }
                }
            }
            if (batched > 0) {
                many.executeBatch();
            }
            for (int i = 0; i < buffered; i++) {
                bindSignal(one, 0, rows[i]);
                one.addBatch();
            }
            if (buffered > 0) {
                one.executeBatch();
            }
            n += buffered;
            progress.advance(batched + buffered);
        }
        return n;
    }

    private static void bindSignal(PreparedStatement ps, int offset, Upstream.Signal s) throws SQLException {
        ps.setLong(offset + 1, s.profileId());
        ps.setInt(offset + 2, s.topicKey());
        ps.setObject(offset + 3, s.eventDay());
        ps.setShort(offset + 4, (short) s.score());
        ps.setInt(offset + 5, s.impressions());
    }

    private void markLanded(Connection c, LocalDate day, long signalCount) throws SQLException {
        Object now = Timestamps.param(clock.now());
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE upstream_partition SET landed_at = ?, signal_count = ? WHERE event_day = ?")) {
            update.setObject(1, now);
            update.setLong(2, signalCount);
            update.setObject(3, day);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO upstream_partition (event_day, landed_at, signal_count) VALUES (?, ?, ?)")) {
            insert.setObject(1, day);
            insert.setObject(2, now);
            insert.setLong(3, signalCount);
            insert.executeUpdate();
        }
    }

    /**
     * Starts a bulk load if the signal table is empty: drops the signal indexes (rebuilt by {@link #endBulk}).
     *
     * @return whether the bulk path applies (days are then appended without deletes)
     */
    boolean beginBulk() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            if (!isEmpty(c, "intent_signal")) {
                return false;
            }
            st.execute("DROP INDEX IF EXISTS " + SIGNAL_INDEX);
            st.execute("DROP INDEX IF EXISTS " + DAY_INDEX);
            return true;
        }
    }

    void endBulk(Progress progress) throws SQLException {
        progress.finish();
        long started = System.nanoTime();
        ensureIndex();
        progress.step("signal indexes built and analyzed", (System.nanoTime() - started) / 1e9);
    }

    /** Creates the signal indexes if missing and refreshes planner statistics. */
    public void ensureIndex() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            for (String ddl : SIGNAL_INDEX_DDL) {
                st.execute(ddl);
            }
        }
        analyze("intent_signal");
    }

    private void analyze(String table) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute((db.isPostgres() ? "ANALYZE " : "ANALYZE TABLE ") + table);
        }
    }

    /** Days whose partition has landed, oldest first. */
    public List<LocalDate> landedDays() throws SQLException {
        List<LocalDate> days = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_day FROM upstream_partition ORDER BY event_day")) {
            while (rs.next()) {
                days.add(rs.getObject(1, LocalDate.class));
            }
        }
        return days;
    }
}
