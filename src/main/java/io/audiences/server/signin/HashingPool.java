package io.audiences.server.signin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

/**
 * Where password checks run: a few platform threads with a short queue. An Argon2id check takes ~50 ms of CPU and
 * 19 MiB; run on the request's own (virtual) thread, a flood of sign-ins runs as many at once as there are
 * connections, takes every core and hundreds of MiB, and every other request waits behind them. Here at most
 * {@code threads} run at once, at most {@code queue} wait, and any further attempt is refused at once with 503
 * {@code overloaded} and {@code Retry-After}, so the rest of the API keeps its share of the machine.
 */
public final class HashingPool implements AutoCloseable {

    /** What an attempt refused for lack of room is told to wait. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final ThreadPoolExecutor executor;

    public HashingPool(int threads, int queue) {
        if (threads < 1 || queue < 0) {
            throw new IllegalArgumentException("sign-in.hashing: threads must be positive, queue not negative");
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "password-hashing-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Half the cores (at least one): password checks may never take the whole machine. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** Four waiting per thread: a burst of sign-ins queues for a moment instead of being refused at once. */
    public static int defaultQueue(int threads) {
        return 4 * threads;
    }

    /** Runs {@code work} on the pool and waits for it; 503 {@code overloaded} when the pool has no room. */
    public <T> T run(Supplier<T> work) {
        Future<T> future;
        try {
            future = executor.submit(work::get);
        } catch (RejectedExecutionException e) {
            throw overloaded();
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw overloaded();
        } catch (CancellationException e) {
            throw overloaded();
        }
    }

    private static DomainException overloaded() {
        return new DomainException(DomainException.Kind.UNAVAILABLE, ErrorCode.OVERLOADED,
                "Too many sign-ins are being checked right now; retry in " + RETRY_AFTER_SECONDS + " second.",
                List.of(), Map.of(DomainException.RETRY_AFTER, RETRY_AFTER_SECONDS));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
