package io.audiences.server.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * The embedded default's durability, without a process to kill: after every commit the database file is copied
 * while the database is still open, which is exactly what a SIGKILL leaves on disk, and the copy must open with
 * that commit in it. Large rows written and deleted between the commits free space in the middle of the file, so
 * later commits land in reused gaps: H2 2.5.x's recovery cannot find such a chunk (its store header names the chunk
 * before it), and without {@code WRITE_DELAY=0} the commit is not in the file at all. Either breaks this test.
 */
class EmbeddedCrashImageTest {

    private static final int ROUNDS = 20;

    @Test
    void everyCommitIsInTheFileACrashWouldLeave(@TempDir Path dir) throws SQLException, IOException {
        String url = Database.defaultH2Url(dir);
        List<Integer> lost = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            // Freed chunks are reused at once instead of after 45 s, so the test needs seconds, not minutes.
            st.execute("SET RETENTION_TIME 0");
            st.execute("CREATE TABLE bulk (id INT PRIMARY KEY, payload VARCHAR(2000))");
            st.execute("CREATE TABLE acknowledged (id INT PRIMARY KEY)");
            try (PreparedStatement bulk = c.prepareStatement("INSERT INTO bulk VALUES (?, ?)")) {
                for (int round = 0; round < ROUNDS; round++) {
                    for (int i = 0; i < 500; i++) {
                        bulk.setInt(1, round * 1000 + i);
                        bulk.setString(2, "x".repeat(1000));
                        bulk.addBatch();
                    }
                    bulk.executeBatch();
                    if (round % 2 == 1) {
                        st.execute("DELETE FROM bulk");
                    }
                    st.execute("INSERT INTO acknowledged VALUES (" + round + ")");
                    if (!inCrashImage(dir, round)) {
                        lost.add(round);
                    }
                }
            }
        }
        assertThat("commits missing from the crash image", lost, is(empty()));
    }

    /** Copies the open database file and looks for the round's row in the copy. */
    private static boolean inCrashImage(Path dir, int round) throws SQLException, IOException {
        Path image = Files.createDirectory(dir.resolve("crash-" + round));
        Files.copy(dir.resolve("audiences.mv.db"), image.resolve("audiences.mv.db"));
        try (Connection c = DriverManager.getConnection(Database.defaultH2Url(image), "sa", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM acknowledged WHERE id = " + round)) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
