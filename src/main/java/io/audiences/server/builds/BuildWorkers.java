package io.audiences.server.builds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Ids;

/**
 * Build workers of this process. Several processes may run them against one database: claims use
 * {@code FOR UPDATE SKIP LOCKED} with a lease that a heartbeat extends, and a lease left by a dead
 * process runs out and the build is claimed again.
 */
public final class BuildWorkers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BuildWorkers.class.getName());
    static final int MAX_ATTEMPTS = 3;

    private final BuildStore store;
    private final BuildRunner runner;
    private final Runnable renewDue;
    private final Clock clock;
    private final Settings settings;
    private final String owner = "worker-" + Ids.hex(6);
    private final List<Thread> threads = new ArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("build-timers").daemon().factory());
    private volatile boolean running = true;

    /** How builds are run. */
    public record Settings(int workers, Duration pollInterval, Duration lease, Duration scheduleInterval) { }

    /**
     * @param renewDue queues the builds of audiences whose renewal is due (run every schedule interval)
     */
    public BuildWorkers(BuildStore store, BuildRunner runner, Runnable renewDue, Clock clock, Settings settings) {
        this.store = store;
        this.runner = runner;
        this.renewDue = renewDue;
        this.clock = clock;
        this.settings = settings;
    }

    public void start() {
        for (int i = 0; i < settings.workers(); i++) {
            threads.add(Thread.ofVirtual().name(owner + "-" + i).start(this::loop));
        }
        timers.scheduleWithFixedDelay(this::renew, 0, settings.scheduleInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try {
            renewDue.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "renewal pass failed", e);
        }
    }

    private void loop() {
        while (running) {
            try {
                Optional<BuildStore.Claim> claim = store.claim(owner, clock.now(), clock.now().plus(settings.lease()), MAX_ATTEMPTS);
                if (claim.isEmpty()) {
                    Thread.sleep(settings.pollInterval().toMillis());
                    continue;
                }
                long beat = Math.max(1, settings.lease().toMillis() / 3);
                ScheduledFuture<?> heartbeat = timers.scheduleAtFixedRate(
                        () -> store.heartbeat(claim.get(), clock.now().plus(settings.lease())), beat, beat, TimeUnit.MILLISECONDS);
                try {
                    runner.run(claim.get());
                } finally {
                    heartbeat.cancel(false);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The database may be briefly unreachable; back off and try again.
                LOG.log(Level.WARNING, "build worker error", e);
                sleepQuietly(settings.pollInterval());
            }
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops claiming and waits for running builds to finish (up to one lease). Threads are never interrupted:
     * an interrupt during file I/O closes H2's file channel and loses the commit in flight; a build still running
     * after the wait is simply retried once its lease runs out.
     */
    @Override
    public void close() {
        running = false;
        long deadline = System.nanoTime() + settings.lease().toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timers.shutdown();
    }
}
