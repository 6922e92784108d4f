package io.audiences.server.results;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.audiences.server.catalog.Field;
import io.audiences.server.catalog.FieldCatalog;
import io.audiences.server.platform.Database;

import io.helidon.dbclient.DbRow;
import org.postgresql.PGConnection;

/**
 * Reads of an audience's current snapshot. Each read is one statement that follows the audience's
 * {@code current_build_id}, so a build swapping in concurrently can never yield a mix of two snapshots.
 */
public final class ResultsStore {

    static final String CONTACT_COLUMNS = "m.build_id, m.record_id, m.profile_id, m.intent_frequency, m.impression_count, "
            + "r.first_name, r.last_name, r.gender, r.age_bucket, r.job_title, r.job_title_normalized, r.department, "
            + "r.seniority_level, r.personal_email, r.current_business_email, r.linkedin_url, r.mobile_phone, r.personal_city, "
            + "r.personal_state, r.personal_state_code, r.personal_zip, r.personal_country, c.name AS company_name, "
            + "c.domain AS company_domain, c.industry AS company_industry, c.employee_bucket, c.revenue_bucket";

    private final Database db;

    public ResultsStore(Database db) {
        this.db = db;
    }

    /** The current build of each of these audiences that still exists (absent: deleted, or never completed). */
    public Map<Long, Long> currentBuilds(List<Long> audienceIds) {
        Map<Long, Long> current = new HashMap<>();
        if (audienceIds.isEmpty()) {
            return current;
        }
        try (Stream<DbRow> rows = db.client().execute().query("SELECT id, current_build_id FROM audience WHERE id IN ("
                + String.join(", ", Collections.nCopies(audienceIds.size(), "?")) + ") AND current_build_id IS NOT NULL",
                audienceIds.toArray())) {
            rows.forEach(r -> current.put(r.column("id").get(Long.class), r.column("current_build_id").get(Long.class)));
        }
        return current;
    }

    /**
     * The most frequent contacts of the audience's current snapshot, in a stable order. The top N is taken from the
     * member rows alone and only those N are joined to their records and companies: joining first made both
     * databases join every member before sorting (32-46 s for a sample of 100 out of 1.68M members on PostgreSQL).
     */
    public List<Contact> sample(long audienceId, int limit) {
        String order = " ORDER BY m.intent_frequency DESC, m.impression_count DESC, m.record_id";
        try (Stream<DbRow> rows = db.client().execute().query("SELECT " + CONTACT_COLUMNS
                + " FROM (SELECT m.* FROM audience a JOIN audience_member m ON m.build_id = a.current_build_id"
                + " WHERE a.id = ?" + order + " FETCH FIRST " + limit + " ROWS ONLY) m"
                + " JOIN contact_record r ON r.id = m.record_id LEFT JOIN company c ON c.id = r.company_id" + order,
                audienceId)) {
            return rows.map(ResultsStore::contact).toList();
        }
    }

    /**
     * Streams every member of one build, in record order, to {@code sink} over a plain JDBC cursor: autocommit
     * off and a fetch size, so PostgreSQL pages the rows instead of buffering the whole result.
     */
    public void stream(long buildId, long limit, RowSink sink) throws IOException {
        String sql = "SELECT " + CONTACT_COLUMNS + " FROM audience_member m JOIN contact_record r ON r.id = m.record_id "
                + "LEFT JOIN company c ON c.id = r.company_id WHERE m.build_id = ? ORDER BY m.record_id"
                + (limit > 0 ? " FETCH FIRST " + limit + " ROWS ONLY" : "");
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                ps.setLong(1, buildId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(contact(rs));
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading snapshot " + buildId + " failed", e);
        }
    }

    /**
     * Streams the same rows as {@link #stream}, rendered as CSV by PostgreSQL itself ({@code COPY ... TO STDOUT}
     * through the driver's copy API): no row becomes a Java object, the driver hands over one buffer per row.
     * The columns and their order are {@link ExportFormat#COLUMNS}; bucket labels are mapped in SQL as
     * {@link #label} does. COPY takes no bind parameters: both numbers are longs, written into the statement.
     */
    public void copyCsv(long buildId, long limit, OutputStream out) throws IOException {
        String sql = "COPY (SELECT m.record_id, m.profile_id, r.first_name, r.last_name, r.gender, "
                + labelSql(FieldCatalog.AGE, "r.age_bucket") + ", r.job_title, r.job_title_normalized, r.department, "
                + "r.seniority_level, r.personal_email, r.current_business_email, r.linkedin_url, r.mobile_phone, "
                + "r.mobile_phone, r.personal_city, r.personal_state, r.personal_state_code, r.personal_zip, r.personal_country, c.name, "
                + "c.domain, c.industry, " + labelSql(FieldCatalog.EMPLOYEES, "c.employee_bucket") + ", "
                + labelSql(FieldCatalog.REVENUE, "c.revenue_bucket") + ", m.intent_frequency, m.impression_count "
                + "FROM audience_member m JOIN contact_record r ON r.id = m.record_id "
                + "LEFT JOIN company c ON c.id = r.company_id WHERE m.build_id = " + buildId + " ORDER BY m.record_id"
                + (limit > 0 ? " LIMIT " + limit : "") + ") TO STDOUT (FORMAT csv)";
        try (Connection c = db.connection()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
        } catch (SQLException e) {
            throw new IllegalStateException("Copying snapshot " + buildId + " failed", e);
        }
    }

    /** Whether {@link #copyCsv} is available: PostgreSQL only. */
    public boolean copies() {
        return db.isPostgres();
    }

    private static String labelSql(List<Field.Bucket> buckets, String column) {
        StringBuilder sql = new StringBuilder("CASE ").append(column);
        for (Field.Bucket b : buckets) {
            sql.append(" WHEN ").append(b.index()).append(" THEN '").append(b.label().replace("'", "''")).append('\'');
        }
        return sql.append(" END").toString();
    }

    /** Receives streamed contacts. */
    @FunctionalInterface
    public interface RowSink {
        void accept(Contact contact) throws IOException;
    }

    private static Contact contact(ResultSet rs) throws SQLException {
        return new Contact(rs.getLong("build_id"), rs.getLong("record_id"), rs.getLong("profile_id"),
                rs.getInt("intent_frequency"), rs.getLong("impression_count"), rs.getString("first_name"),
                rs.getString("last_name"), rs.getString("gender"), label(FieldCatalog.AGE, integer(rs, "age_bucket")),
                rs.getString("job_title"), rs.getString("job_title_normalized"), rs.getString("department"),
                rs.getString("seniority_level"), rs.getString("personal_email"), rs.getString("current_business_email"),
                rs.getString("linkedin_url"), rs.getString("mobile_phone"), rs.getString("personal_city"),
                rs.getString("personal_state"), rs.getString("personal_state_code"), rs.getString("personal_zip"),
                rs.getString("personal_country"), rs.getString("company_name"), rs.getString("company_domain"),
                rs.getString("company_industry"), label(FieldCatalog.EMPLOYEES, integer(rs, "employee_bucket")),
                label(FieldCatalog.REVENUE, integer(rs, "revenue_bucket")));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    static Contact contact(DbRow r) {
        return new Contact(r.column("build_id").get(Long.class), r.column("record_id").get(Long.class),
                r.column("profile_id").get(Long.class), r.column("intent_frequency").get(Integer.class),
                r.column("impression_count").get(Long.class), r.column("first_name").get(String.class),
                r.column("last_name").get(String.class), r.column("gender").get(String.class),
                label(FieldCatalog.AGE, r.column("age_bucket").get(Integer.class)), r.column("job_title").get(String.class),
                r.column("job_title_normalized").get(String.class), r.column("department").get(String.class),
                r.column("seniority_level").get(String.class), r.column("personal_email").get(String.class),
                r.column("current_business_email").get(String.class), r.column("linkedin_url").get(String.class),
                r.column("mobile_phone").get(String.class), r.column("personal_city").get(String.class),
                r.column("personal_state").get(String.class), r.column("personal_state_code").get(String.class),
                r.column("personal_zip").get(String.class), r.column("personal_country").get(String.class),
                r.column("company_name").get(String.class), r.column("company_domain").get(String.class),
                r.column("company_industry").get(String.class),
                label(FieldCatalog.EMPLOYEES, r.column("employee_bucket").get(Integer.class)),
                label(FieldCatalog.REVENUE, r.column("revenue_bucket").get(Integer.class)));
    }

    private static String label(List<Field.Bucket> buckets, Integer index) {
        return index == null || index < 0 || index >= buckets.size() ? null : buckets.get(index).label();
    }
}
