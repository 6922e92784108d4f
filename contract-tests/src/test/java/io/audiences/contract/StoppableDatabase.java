package io.audiences.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.h2.tools.Server;

/**
 * A database a test may stop and start again while the server uses it, on this machine only. On the
 * PostgreSQL run: a cluster of its own on a free port (initdb and pg_ctl, as user postgres when the tests run as
 * root), stopped with {@code pg_ctl stop -m immediate} as a crash or a pulled plug would, never the shared
 * server. On the H2 run: the same file database the server would use, reached through an H2 TCP server
 * ({@link org.h2.tools.Server}) that the test stops, so every connection breaks and new ones are refused.
 */
final class StoppableDatabase implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Server h2;

    private StoppableDatabase(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** A new, empty database of the engine this run targets, running. */
    static StoppableDatabase start(String name) {
        try {
            Path dir = Files.createTempDirectory("audiences-" + name);
            StoppableDatabase db = new StoppableDatabase(dir, freePort());
            if (TestDatabase.postgres()) {
                db.initPostgres();
            }
            db.begin();
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return TestDatabase.postgres() ? "jdbc:postgresql://127.0.0.1:" + port + "/postgres"
                : "jdbc:h2:tcp://127.0.0.1:" + port + "/audiences;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
    }

    String user() {
        return TestDatabase.postgres() ? "postgres" : "sa";
    }

    String password() {
        return "";
    }

    /** Starts the database (again); returns once it accepts connections. */
    void begin() {
        if (TestDatabase.postgres()) {
            pg("pg_ctl", "-D", data().toString(), "-l", dir.resolve("postgres.log").toString(), "-w", "-t", "60",
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir, "start");
            return;
        }
        try {
            h2 = Server.createTcpServer("-tcp", "-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir",
                    dir.toString()).start();
        } catch (SQLException e) {
            throw new IllegalStateException("H2 TCP server did not start on port " + port, e);
        }
    }

    /** Stops the database abruptly: open connections break, new ones are refused. */
    void stop() {
        if (TestDatabase.postgres()) {
            pg("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
        } else if (h2 != null) {
            h2.stop();
            h2 = null;
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException alreadyStopped) {
            // nothing to stop
        }
        TestFiles.deleteRecursively(dir);
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void initPostgres() throws IOException {
        if (root()) {
            // initdb refuses to run as root: the cluster belongs to postgres.
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        pg("initdb", "-D", data().toString(), "-U", "postgres", "-A", "trust", "-N");
    }

    private void pg(String tool, String... args) {
        List<String> command = new ArrayList<>();
        if (root()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(postgresBin().resolve(tool).toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(tool + ".out").toFile())).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n"
                        + Files.readString(dir.resolve(tool + ".out")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed PostgreSQL's binaries (Debian layout), as .ci/run uses. */
    private static Path postgresBin() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max((a, b) -> Integer.compare(version(a), version(b)))
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql/*/bin"));
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL binaries not found under /usr/lib/postgresql", e);
        }
    }

    private static int version(Path bin) {
        String v = bin.getParent().getFileName().toString();
        return v.chars().allMatch(Character::isDigit) ? Integer.parseInt(v) : 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
