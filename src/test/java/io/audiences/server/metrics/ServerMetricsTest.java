package io.audiences.server.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Timer;

import org.junit.jupiter.api.Test;

class ServerMetricsTest {

    /**
     * Micrometer adds meters by itself at any moment (the GC binder registers a pause timer on the JVM's notification
     * thread the first time a kind of collection happens), while requests register theirs the first time an operation
     * answers a status. With Helidon's getOrCreate on one side, the two took the same two locks in opposite orders and
     * deadlocked; both sides race here, many times, and must finish.
     */
    @Test
    void metersRegisteredByMicrometerItselfDoNotDeadlockRequestMeters() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (ServerMetrics metrics = new ServerMetrics()) {
                AtomicBoolean done = new AtomicBoolean();
                CountDownLatch start = new CountDownLatch(1);
                Thread binder = Thread.ofPlatform().start(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < 2_000 && !done.get(); i++) {
                        Timer.builder("jvm.gc.pause.test").tag("cause", "cause-" + i).register(metrics.micrometer());
                    }
                });
                start.countDown();
                for (int i = 0; i < 2_000; i++) {
                    metrics.request("operation" + i, 200, i % 2 == 0 ? null : "not_found", 1_000);
                }
                done.set(true);
                binder.join();
                assertThat(metrics.scrape(), containsString("audiences_http_requests_seconds_count{operation=\"operation1999\""));
            }
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
