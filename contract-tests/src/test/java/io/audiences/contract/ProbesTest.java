package io.audiences.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import io.audiences.model.HealthStatusDto;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Liveness, readiness and startup while all is well, liveness on a real deadlock, and readiness during the
 * shutdown drain (which also shows the drain: new connections refused, an in-flight request finishing, a stalled
 * one closed at the end of the period). The probes with the database down are in {@link OutageTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbesTest extends ServerTestBase {

    private static final long DRAIN_MILLIS = 2_000;

    @Override
    protected Map<String, String> configOverrides() {
        Map<String, String> overrides = new HashMap<>(super.configOverrides());
        overrides.put("audiences.shutdown.drain-period", "PT" + DRAIN_MILLIS / 1000 + "S");
        return overrides;
    }

    @Test
    @Order(1)
    void probesAreUpWhileAllIsWell() {
        given().get("/health/live").then().statusCode(200).contentType("application/json")
                .body("status", equalTo("UP")).body("checks[0].name", equalTo("deadlock"))
                .body("checks[0].status", equalTo("UP"));
        given().get("/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", equalTo(java.util.List.of("database", "migrations", "shutdown", "data")))
                .body("checks.status", equalTo(java.util.List.of("UP", "UP", "UP", "UP")))
                .body("checks[1].details.schema_version", notNullValue());
        given().get("/health/started").then().statusCode(200)
                .body("status", equalTo("UP")).body("checks[0].name", equalTo("migrations"));
    }

    /** While data the server serves is loading (the embedded demo set at a first start) it is live but not ready. */
    @Test
    @Order(2)
    void readinessIsDownWhileDataLoads() {
        app.probes().loading("demo data");
        try {
            given().get("/health/ready").then().statusCode(503).contentType("application/json")
                    .body("status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'data' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'data' }.details.loading", equalTo("demo data"))
                    .body("checks.find { it.name == 'database' }.status", equalTo("UP"));
            given().get("/health/live").then().statusCode(200);
        } finally {
            app.probes().loading(null);
        }
        given().get("/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    @Order(2)
    void livenessFailsWhileThreadsAreDeadlocked() throws Exception {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHold = new CountDownLatch(2);
        Thread first = Thread.ofPlatform().name("deadlock-1").start(() -> lockBoth(a, b, bothHold));
        Thread second = Thread.ofPlatform().name("deadlock-2").start(() -> lockBoth(b, a, bothHold));
        try {
            bothHold.await();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (given().get("/health/live").then().extract().statusCode() != 503) {
                if (System.nanoTime() > deadline) {
                    fail("liveness did not see the deadlock");
                }
                Thread.sleep(20);
            }
            given().get("/health/live").then().statusCode(503).contentType("application/json")
                    .body("status", equalTo("DOWN")).body("checks[0].status", equalTo("DOWN"));
        } finally {
            first.interrupt();
            second.interrupt();
            first.join();
            second.join();
        }
        given().get("/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** Takes {@code mine}, then, once the other thread holds its own, waits (interruptibly) for {@code theirs}. */
    private static void lockBoth(ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHold) {
        mine.lock();
        try {
            bothHold.countDown();
            bothHold.await();
            theirs.lockInterruptibly();
            theirs.unlock();
        } catch (InterruptedException e) {
            // the test ends the deadlock
        } finally {
            mine.unlock();
        }
    }

    @Test
    @Order(3)
    void shutdownDrainsInFlightRequestsWithReadinessDown() throws Exception {
        // Two logins in flight, their bodies not yet complete: one finishes during the drain, one never does.
        try (Socket finishing = partialLogin(); Socket stalled = partialLogin()) {
            Thread.sleep(200);
            long started = System.nanoTime();
            Thread closer = Thread.ofPlatform().name("closer").start(app::close);

            long deadline = System.nanoTime() + 1_000_000_000L;
            while (app.probes().readiness().getStatus() != HealthStatusDto.DOWN) {
                if (System.nanoTime() > deadline) {
                    fail("readiness did not go down when the shutdown began");
                }
                Thread.sleep(5);
            }
            assertThat(app.probes().readiness().getChecks().get(2).getStatus(), is(HealthStatusDto.DOWN));
            assertThat(app.probes().liveness().getStatus(), is(HealthStatusDto.UP));
            assertThat("new connections are refused during the drain", PortProbe.refuses(app.port()), is(true));
            assertThat("still draining", closer.isAlive(), is(true));

            finishing.getOutputStream().write("\"}".getBytes(StandardCharsets.US_ASCII));
            finishing.getOutputStream().flush();
            // Unknown account: 401 invalid_credentials, answered although the server is shutting down.
            assertThat("the in-flight request was answered", statusLine(finishing.getInputStream()),
                    startsWith("HTTP/1.1 401"));

            closer.join(DRAIN_MILLIS + 10_000);
            long took = (System.nanoTime() - started) / 1_000_000;
            assertThat("close() waited for the stalled request, up to the drain period", took,
                    greaterThan(DRAIN_MILLIS - 200));
            assertThat("then closed it promptly", took, lessThan(DRAIN_MILLIS + 5_000));
            stalled.setSoTimeout(5_000);
            assertThat("the stalled request's connection was closed", drained(stalled.getInputStream()), is(true));
        }
    }

    /** A login whose declared body is longer than what was sent so far: the server waits in the handler. */
    private Socket partialLogin() throws IOException {
        Socket socket = new Socket("127.0.0.1", app.port());
        String body = "{\"email\":\"nobody@example.com\",\"password\":\"wrong password\"}";
        String head = "POST /auth/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write((head + body.substring(0, body.length() - 2)).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }


    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** Reads to the end: true once the server closed the connection (end of stream or reset). */
    private static boolean drained(InputStream in) {
        try {
            while (in.read() >= 0) {
                // whatever the server sent before closing
            }
            return true;
        } catch (IOException reset) {
            return !(reset instanceof java.net.SocketTimeoutException);
        }
    }
}
