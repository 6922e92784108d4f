package io.audiences.server.builds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.server.metrics.ServerMetrics;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Ids;

/**
 * Build workers of this process. Several processes may run them against one database: claims use
 * {@code FOR UPDATE SKIP LOCKED} with a lease that a heartbeat extends, and a lease left by a dead
 * process runs out and the build is claimed again. A build this process cannot finish, because it shuts down
 * or because the database went away under it, is handed back ({@link BuildStore#release}) so another worker
 * claims it at its next poll instead of waiting for the lease to run out.
 */
public final class BuildWorkers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BuildWorkers.class.getName());
    static final int MAX_ATTEMPTS = 3;
    /** The outcome label of a build the database failed under: handed back, to run again. */
    private static final String HANDED_BACK = "handed_back";

    private final BuildStore store;
    private final BuildRunner runner;
    private final Runnable renewDue;
    private final Clock clock;
    private final Settings settings;
    private final ServerMetrics metrics;
    // Names the process (its pid), so an operator or a test can tell which instance holds a build's lease.
    private final String owner = "worker-" + ProcessHandle.current().pid() + "-" + Ids.hex(6);
    private final List<Thread> threads = new ArrayList<>();
    /** The builds this process holds, with their heartbeats. */
    private final Map<BuildStore.Claim, ScheduledFuture<?>> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("build-timers").daemon().factory());
    private volatile ScheduledFuture<?> renewal;
    private volatile boolean running = true;

    /** How builds are run. */
    public record Settings(int workers, Duration pollInterval, Duration lease, Duration scheduleInterval) { }

    /**
     * @param renewDue queues the builds of audiences whose renewal is due (run every schedule interval)
     * @param metrics   where each build's duration and outcome is counted
     */
    public BuildWorkers(BuildStore store, BuildRunner runner, Runnable renewDue, Clock clock, Settings settings,
                        ServerMetrics metrics) {
        this.store = store;
        this.runner = runner;
        this.renewDue = renewDue;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
    }

    public void start() {
        for (int i = 0; i < settings.workers(); i++) {
            threads.add(Thread.ofVirtual().name(owner + "-" + i).start(this::loop));
        }
        renewal = timers.scheduleWithFixedDelay(this::renew, 0, settings.scheduleInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try {
            renewDue.run();
        } catch (RuntimeException e) {
            logFailure("renewal pass failed", e);
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
                run(claim.get());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The database may be briefly unreachable; back off and try again.
                logFailure("build worker error", e);
                sleepQuietly(settings.pollInterval());
            }
        }
    }

    private void run(BuildStore.Claim claim) {
        long beat = Math.max(1, settings.lease().toMillis() / 3);
        held.put(claim, timers.scheduleAtFixedRate(() -> heartbeat(claim), beat, beat, TimeUnit.MILLISECONDS));
        long started = System.nanoTime();
        try {
            metrics.build(runner.run(claim), System.nanoTime() - started);
        } catch (RuntimeException e) {
            if (!Database.isUnavailable(e)) {
                throw e;
            }
            metrics.build(HANDED_BACK, System.nanoTime() - started);
            stopHeartbeat(claim);
            handBackOnceReachable(claim);
        } finally {
            stopHeartbeat(claim);
            held.remove(claim);
        }
    }

    /** A heartbeat that fails (a database blip) must not end the schedule: the next one may get through. */
    private void heartbeat(BuildStore.Claim claim) {
        try {
            store.heartbeat(claim, clock.now().plus(settings.lease()));
        } catch (RuntimeException e) {
            LOG.fine(() -> "heartbeat of build " + claim.buildId() + " failed: " + e);
        }
    }

    private void stopHeartbeat(BuildStore.Claim claim) {
        ScheduledFuture<?> heartbeat = held.get(claim);
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }

    /**
     * The database failed under a build, so its transaction rolled back: retry handing it back every poll
     * interval until the database answers, so it is built again at once rather than after its lease. While
     * shutting down, {@link #close(long)} hands back whatever is still held.
     */
    private void handBackOnceReachable(BuildStore.Claim claim) {
        while (running) {
            try {
                if (store.release(claim, clock.now())) {
                    LOG.info(() -> "build " + claim.buildId() + " handed back after the database failed under it");
                }
                return;
            } catch (RuntimeException e) {
                if (!Database.isUnavailable(e)) {
                    LOG.log(Level.WARNING, "build " + claim.buildId() + " could not be handed back; it is claimed again "
                            + "when its lease runs out", e);
                    return;
                }
                sleepQuietly(settings.pollInterval());
            }
        }
    }

    private static void logFailure(String what, RuntimeException e) {
        if (Database.isUnavailable(e)) {
            LOG.fine(() -> what + ": " + e);
        } else {
            LOG.log(Level.WARNING, what, e);
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops claiming builds and queueing renewals; running builds go on. The first step of a shutdown. */
    public void stopClaiming() {
        running = false;
        ScheduledFuture<?> r = renewal;
        if (r != null) {
            r.cancel(false);
        }
    }

    /** {@link #close(long)} with one lease to finish in, as a caller that only wants the workers stopped. */
    @Override
    public void close() {
        close(System.nanoTime() + settings.lease().toNanos());
    }

    /**
     * Stops claiming, waits until {@code deadlineNanos} ({@link System#nanoTime()}) for running builds to finish,
     * then hands back those that did not, so a peer claims them at its next poll. Threads are never interrupted:
     * an interrupt during file I/O closes H2's file channel and loses the commit in flight; a build still running
     * after the hand-back cannot commit (its lease is fenced) and ends with the process.
     */
    public void close(long deadlineNanos) {
        stopClaiming();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        held.forEach((claim, heartbeat) -> {
            heartbeat.cancel(false);
            try {
                if (store.release(claim, clock.now())) {
                    LOG.info(() -> "build " + claim.buildId() + " handed back at shutdown");
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "build " + claim.buildId() + " could not be handed back at shutdown; it is "
                        + "claimed again when its lease runs out", e);
            }
        });
        timers.shutdown();
    }
}
