package io.audiences.contract;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.audiences.server.platform.Database;
import io.audiences.server.upstream.Upstream;

/**
 * A small, seeded upstream data set written straight into the test database, kept in memory as well so
 * tests can compute expected audiences in plain Java, independently of the server's SQL.
 */
final class UpstreamFixture {

    static final String[] SENIORITY = {"cxo", "director", "manager", "staff", "vp"};

    record Company(long id, int employeeBucket) { }

    record ContactRecord(long id, long profileId, long companyId, String seniority) { }

    record Signal(long profileId, int topicKey, LocalDate day, int score, int impressions) { }

    final List<String> topicIds = new ArrayList<>();
    final List<Company> companies = new ArrayList<>();
    final List<ContactRecord> records = new ArrayList<>();
    final List<Signal> signals = new ArrayList<>();
    final LocalDate today;

    UpstreamFixture(long seed, int profiles, LocalDate today, int days) {
        this.today = today;
        Random random = new Random(seed);
        for (int t = 1; t <= 6; t++) {
            topicIds.add("4eyes_" + (100000 + t));
        }
        for (int c = 1; c <= 40; c++) {
            companies.add(new Company(c, c % 8));
        }
        long recordId = 1;
        for (long p = 1; p <= profiles; p++) {
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                records.add(new ContactRecord(recordId++, p, 1 + random.nextInt(companies.size()),
                        SENIORITY[random.nextInt(SENIORITY.length)]));
            }
            for (int d = 0; d < days; d++) {
                for (int t = 1; t <= 6; t++) {
                    // Topic 1 is hot, topic 6 cold.
                    if (random.nextInt(100) < 22 - 3 * t) {
                        signals.add(new Signal(p, t, today.minusDays(d), random.nextInt(101), random.nextInt(20)));
                    }
                }
            }
        }
    }

    int topicKey(String id) {
        return topicIds.indexOf(id) + 1;
    }

    /** Writes taxonomy, companies, records and the signals of all days; lands every day older than {@code unlanded}. */
    void write(Database db, int unlandedNewestDays) throws SQLException {
        Instant now = Instant.now();
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            UUID category = UUID.randomUUID();
            UUID subcategory = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO taxonomy_category (id, name, status, created_at) "
                    + "VALUES (?, 'Technology', 'active', ?)")) {
                ps.setObject(1, category);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO taxonomy_subcategory (id, category_id, name, status, "
                    + "created_at) VALUES (?, ?, 'Security', 'active', ?)")) {
                ps.setObject(1, subcategory);
                ps.setObject(2, category);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO taxonomy_topic (id, topic_key, subcategory_id, name, "
                    + "topic_type, status, created_at) VALUES (?, ?, ?, ?, 'B2B', 'active', ?)")) {
                for (String id : topicIds) {
                    ps.setString(1, id);
                    ps.setInt(2, topicKey(id));
                    ps.setObject(3, subcategory);
                    ps.setString(4, "Topic " + id);
                    ps.setTimestamp(5, Timestamp.from(now));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO company (id, name, employee_bucket) VALUES (?, ?, ?)")) {
                for (Company co : companies) {
                    ps.setLong(1, co.id());
                    ps.setString(2, "Company " + co.id());
                    ps.setInt(3, co.employeeBucket());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO contact_record (id, profile_id, company_id, first_name, "
                    + "last_name, seniority_level) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (ContactRecord r : records) {
                    ps.setLong(1, r.id());
                    ps.setLong(2, r.profileId());
                    ps.setLong(3, r.companyId());
                    ps.setString(4, "First" + r.id());
                    ps.setString(5, "Last" + r.profileId());
                    ps.setString(6, r.seniority());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
        for (LocalDate day = today.minusDays(30); !day.isAfter(today); day = day.plusDays(1)) {
            if (day.isAfter(today.minusDays(unlandedNewestDays))) {
                continue;
            }
            land(db, day);
        }
    }

    /** Inserts a day's signals and marks its partition landed, in one transaction. */
    void land(Database db, LocalDate day) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            long n = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO intent_signal (profile_id, topic_key, event_day, "
                    + "score, impressions) VALUES (?, ?, ?, ?, ?)")) {
                for (Signal s : signals) {
                    if (s.day().equals(day)) {
                        ps.setLong(1, s.profileId());
                        ps.setInt(2, s.topicKey());
                        ps.setDate(3, Date.valueOf(s.day()));
                        ps.setInt(4, s.score());
                        ps.setInt(5, s.impressions());
                        ps.addBatch();
                        n++;
                    }
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO upstream_partition (event_day, landed_at, signal_count) "
                    + "VALUES (?, ?, ?)")) {
                ps.setDate(1, Date.valueOf(day));
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
                ps.setLong(3, n);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    /** The signals of {@code day} as stored, in (profile, topic) order: what a load wrote, read back by plain JDBC. */
    static List<Upstream.Signal> storedSignals(Database db, LocalDate day) throws SQLException {
        List<Upstream.Signal> out = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT profile_id, topic_key, score, impressions FROM intent_signal "
                     + "WHERE event_day = ? ORDER BY profile_id, topic_key")) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Upstream.Signal(rs.getLong(1), rs.getInt(2), day, rs.getInt(3), rs.getInt(4)));
                }
            }
        }
        return out;
    }
}
