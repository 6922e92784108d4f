package io.audiences.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.audiences.server.Application;
import io.audiences.server.platform.Clock;
import io.audiences.server.setup.Bootstrap;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The packaged server as an operator runs it, against what an attacker sends and what other local users could read:
 * control characters in the path cannot forge log lines, a malformed chunk size is a 400 logged in one line without
 * the body, the data directory and the embedded database's files are owner-only (even when an older version left
 * them 0755 / 0644), and the README's {@code bootstrap --email admin@acme.example} yields an admin who can log in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HardeningTest {

    private PackagedServer server;
    private String adminEmail;
    private String adminPassword;

    @BeforeAll
    void start() throws Exception {
        server = PackagedServer.create("hardening");
        // The README's own example, through the command's own code (argument parsing included).
        try (Application app = Application.create(server.config(Map.of()), Clock.SYSTEM)) {
            JsonPath printed = JsonPath.from(Bootstrap.run(app.database(), app.tenancy(), app.credentials(),
                    Bootstrap.Arguments.parse(new String[] {"bootstrap", "--org", "Acme", "--email", "admin@acme.example"})));
            adminEmail = printed.getString("email");
            adminPassword = printed.getString("password");
        }
        // As an earlier version (or a permissive umask) left them.
        Files.setPosixFilePermissions(server.dataDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> files = Files.list(server.dataDir())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("audiences.")).toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        server.start();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void controlCharactersInThePathAreEscapedInTheLog() throws Exception {
        for (String path : List.of("/api/v1/x%0aFORGED-LF", "/api/v1/x%0d%0aFORGED-CRLF", "/api/v1/x%00nul",
                "/api/v1/x%1b%5b31mred")) {
            String answer = exchange("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer, startsWith("HTTP/1.1 4"));
        }
        String logs = awaitLogs("x\\u001b[31mred");
        assertThat(logs, containsString("GET /api/v1/x\\nFORGED-LF 404"));
        assertThat(logs, containsString("GET /api/v1/x\\r\\nFORGED-CRLF 404"));
        assertThat(logs, containsString("GET /api/v1/x\\u0000nul 404"));
        assertThat("no line begins with injected text", logs.lines().filter(l -> l.startsWith("FORGED")).toList(), hasSize(0));
        assertThat(logs.indexOf('\r'), is(-1));
        assertThat(logs.indexOf('\0'), is(-1));
        assertThat(logs.indexOf('\u001b'), is(-1));
    }

    @Test
    void aMalformedChunkSizeIsA400LoggedInOneLineWithoutTheBody() throws Exception {
        String answer = exchange("POST /auth/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nX-Request-Id: malformed-chunk-1\r\nConnection: close\r\n\r\n"
                + "zz\r\n{\"email\":\"BODYBYTES@example.com\",\"password\":\"BODYSECRET\"}\r\n0\r\n\r\n");
        assertThat(answer, startsWith("HTTP/1.1 400"));
        assertThat(answer, containsString("Content-Type: application/problem+json"));
        assertThat(answer, containsString("\"code\":\"malformed_body\""));
        String logs = awaitLogs("malformed-chunk-1");
        assertThat(logs.lines().filter(l -> l.contains("malformed-chunk-1")).toList(), hasSize(1));
        assertThat(logs, not(containsString("BODYBYTES")));
        assertThat(logs, not(containsString("BODYSECRET")));
        assertThat(logs, not(containsString("\tat ")));
        assertThat(logs, not(containsString("SEVERE")));
    }

    @Test
    void theDataDirectoryAndTheDatabaseFilesAreOwnerOnly() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.dataDir())), equalTo("rwx------"));
        Assumptions.assumeFalse(TestDatabase.postgres(), "the database files are PostgreSQL's");
        Path db = server.dataDir().resolve("audiences.mv.db");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)), equalTo("rw-------"));
    }

    @Test
    void theReadmesBootstrapAdminCanLogIn() {
        assertThat(adminEmail, equalTo("admin@acme.example"));
        ServerTestBase.validated(server.port()).contentType("application/json")
                .body(Map.of("email", adminEmail, "password", adminPassword))
                .post("/auth/v1/login").then().statusCode(200);
    }

    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (java.net.SocketException | java.net.SocketTimeoutException closed) {
                // the server closed the connection after answering
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** The server's output once it contains {@code marker} (the access log line is written after the answer). */
    private String awaitLogs(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String logs = server.logs();
        while (!logs.contains(marker) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            logs = server.logs();
        }
        return logs;
    }
}
