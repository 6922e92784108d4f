package io.audiences.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

/**
 * The two body limits the contract states, on both sides of each boundary, with a Content-Length and chunked:
 * 1048576 bytes for the JSON bodies operations read, 2097152 bytes (server.max-payload-size) for any request.
 */
class PayloadLimitTest extends ServerTestBase {

    private static final int JSON_LIMIT = 1_048_576;
    private static final int SERVER_LIMIT = 2_097_152;
    private Tenant tenant;

    @BeforeAll
    void createTenant() {
        tenant = tenant("Payloads");
    }

    /** A valid project body padded with JSON whitespace to exactly {@code size} bytes. */
    private static byte[] projectBody(int size) {
        byte[] json = "{\"name\":\"Padded\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[size];
        System.arraycopy(json, 0, body, 0, json.length);
        java.util.Arrays.fill(body, json.length, size, (byte) ' ');
        return body;
    }

    private record Answer(String head, String body) { }

    /**
     * Sends the request and reads the answer. The body is written by another thread, as a server may answer (and
     * close) before it read the body, or without reading it at all; a write failing then is expected.
     */
    private Answer send(String method, String path, byte[] body, boolean chunked) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + tenant.token()
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    if (chunked) {
                        for (int at = 0; at < body.length; at += 65_536) {
                            int n = Math.min(65_536, body.length - at);
                            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.write(body, at, n);
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        out.write(body);
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before taking the whole body
                }
            });
            Answer answer = read(socket.getInputStream());
            writer.join(30_000);
            return answer;
        }
    }

    private static Answer read(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
        String body = length.find() ? new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8) : "";
        return new Answer(text, body);
    }

    private static void assertTooLarge(Answer a, int limit) {
        assertThat(a.head(), startsWith("HTTP/1.1 413"));
        assertThat(a.head().toLowerCase(Locale.ROOT), containsString("content-type: application/problem+json"));
        assertThat(a.body(), containsString("\"code\":\"payload_too_large\""));
        assertThat(a.body(), containsString("exceeds " + limit + " bytes"));
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void aJsonBodyOfExactlyTheLimitIsReadAndOneByteMoreIs413(boolean chunked) throws Exception {
        Answer exact = send("POST", "/api/v1/projects", projectBody(JSON_LIMIT), chunked);
        assertThat(exact.head(), startsWith("HTTP/1.1 201"));
        assertThat(exact.body(), containsString("\"name\":\"Padded\""));
        assertTooLarge(send("POST", "/api/v1/projects", projectBody(JSON_LIMIT + 1), chunked), JSON_LIMIT);
    }

    /**
     * With a Content-Length the web server refuses a body over its limit before routing, on any operation. (A chunked
     * body is counted as it is read: an operation that takes no body never reads it, so only the JSON limit above
     * applies to chunked bodies.)
     */
    @Test
    void anyBodyOfExactlyTheServersLimitIsTakenAndOneByteMoreIs413() throws Exception {
        // An operation that reads no body: only the web server's own limit applies.
        Answer exact = send("GET", "/api/v1/organizations", projectBody(SERVER_LIMIT), false);
        assertThat(exact.head(), startsWith("HTTP/1.1 200"));
        assertTooLarge(send("GET", "/api/v1/organizations", projectBody(SERVER_LIMIT + 1), false), SERVER_LIMIT);
    }
}
