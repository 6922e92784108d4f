package io.audiences.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

/**
 * Clients that trickle their request (one byte a second, which renews any per-read timeout) cannot pin
 * connections: the server closes them once their headers are late, while a normal client is served meanwhile.
 */
class SlowClientTest extends ServerTestBase {

    private static final long TIMEOUT_MS = 3000;
    private static final int CONNECTIONS = 50;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.http.header-read-timeout", "PT3S");
        overrides.put("server.idle-connection-timeout", "PT3S");
        return overrides;
    }

    /**
     * Opens a connection and trickles a request one byte a second: half of them from the request line on, half
     * after a complete request line. Returns how long the server kept the connection open (ms), or -1 if it was
     * still open after 20 s.
     */
    private long trickle(boolean wholeRequestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            String line = "GET /health HTTP/1.1\r\n";
            if (wholeRequestLine) {
                out.write(line.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] rest = ((wholeRequestLine ? "" : line) + "Host: 127.0.0.1\r\nX-Slow: " + "a".repeat(100) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (byte b : rest) {
                if ((System.nanoTime() - start) / 1_000_000 > 20_000) {
                    return -1;
                }
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
                try {
                    // A close, or an error answer to the incomplete request before the close: the server let go.
                    in.read();
                    return (System.nanoTime() - start) / 1_000_000;
                } catch (SocketTimeoutException e) {
                    // still open: one second passed, send the next byte
                } catch (IOException e) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            }
            throw new AssertionError("the whole request was sent before the server closed the connection");
        }
    }

    @Test
    void tricklingClientsAreClosedWithinTheTimeoutWhileOthersAreServed() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> slow = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                boolean wholeRequestLine = i % 2 == 0;
                slow.add(pool.submit(() -> trickle(wholeRequestLine)));
            }
            Thread.sleep(1000);
            long served = System.nanoTime();
            given().get("/health").then().statusCode(200);
            assertThat((System.nanoTime() - served) / 1_000_000 < TIMEOUT_MS, equalTo(true));
            long longest = 0;
            for (Future<Long> f : slow) {
                long open = f.get();
                assertThat("a trickling connection was still open after 20 s", open >= 0, equalTo(true));
                longest = Math.max(longest, open);
            }
            System.out.printf("[slow clients, %s] %d trickling connections closed, the last after %d ms (timeout %d ms)%n",
                    TestDatabase.engine(), CONNECTIONS, longest, TIMEOUT_MS);
            // The timeout plus the checks' period (1 s) and a loaded machine's slack.
            assertThat(longest, lessThan(TIMEOUT_MS + 4000));
        }
    }
}
