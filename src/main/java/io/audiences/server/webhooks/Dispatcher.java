package io.audiences.server.webhooks;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.Ids;
import io.audiences.server.tracing.Tracing;

import io.opentelemetry.api.trace.Span;

/**
 * Sends the outbox's due deliveries: one per process, any number of processes on one database. A pass claims a
 * batch ({@link WebhookStore#claimDue}, SKIP LOCKED with a lease), sends each concurrently, and records every attempt
 * fenced on its claim. A delivery whose dispatcher died mid-send is due again when its lease runs out and goes out
 * again with the same {@code webhook-id}: delivery is at least once, and receivers deduplicate on the id.
 * A failed attempt (no 2xx within the timeout; redirects are not followed) is retried after an exponentially growing
 * delay ({@code retry-base-delay} doubling up to {@code retry-max-delay}) until {@code retry-for} (24 h) has passed.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    /** How deliveries are sent and retried ({@code audiences.webhooks}). */
    public record Settings(Duration pollInterval, Duration lease, Duration timeout, Duration retryBaseDelay,
                           Duration retryMaxDelay, Duration retryFor, int batch) { }

    private final WebhookStore store;
    private final SecretSeal seal;
    private final TargetGuard guard;
    private final Clock clock;
    private final Settings settings;
    private final Tracing tracing;
    private final String owner = "webhooks-" + ProcessHandle.current().pid() + "-" + Ids.hex(6);
    private final HttpClient http;
    private volatile boolean running = true;
    private Thread thread;

    public Dispatcher(WebhookStore store, SecretSeal seal, TargetGuard guard, Clock clock, Settings settings,
                      Tracing tracing) {
        this.store = store;
        this.seal = seal;
        this.guard = guard;
        this.clock = clock;
        this.settings = settings;
        this.tracing = tracing;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public void start() {
        thread = Thread.ofVirtual().name(owner).start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                Instant now = clock.now();
                List<WebhookStore.Claim> claims = store.claimDue(owner, now, now.plus(settings.lease()), settings.batch());
                if (claims.isEmpty()) {
                    Thread.sleep(settings.pollInterval().toMillis());
                    continue;
                }
                List<Thread> sends = new ArrayList<>();
                for (WebhookStore.Claim claim : claims) {
                    sends.add(Thread.ofVirtual().name(owner + "-" + claim.deliveryId()).start(() -> deliver(claim)));
                }
                for (Thread send : sends) {
                    send.join();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The database may be briefly unreachable: claims stay with their lease, and are retried after it.
                if (Database.isUnavailable(e)) {
                    LOG.fine(() -> "webhook dispatcher: " + e);
                } else {
                    LOG.log(Level.WARNING, "webhook dispatcher pass failed", e);
                }
                sleepQuietly(settings.pollInterval());
            }
        }
    }

    /**
     * One attempt of one claimed delivery, recorded whatever its outcome. Traced, it is a span of its own (a child of
     * the span that produced the event), whose context goes out as {@code traceparent}/{@code tracestate}.
     */
    void deliver(WebhookStore.Claim claim) {
        Instant started = clock.now();
        long t0 = System.nanoTime();
        Span span = tracing.startDelivery(claim.producer(), claim.eventId(), claim.endpointId(), claim.deliveryId(),
                claim.attempts() + 1);
        Integer status = null;
        String error = null;
        boolean giveUp = false;
        try {
            URI uri = URI.create(claim.url());
            guard.vet(uri);
            long timestamp = started.getEpochSecond();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "audiences-webhooks/1")
                    .header("webhook-id", claim.eventId())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", Signature.sign(seal.open(claim.endpointId(), claim.sealedSecret()),
                            claim.eventId(), timestamp, claim.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(claim.payload()));
            Tracing.inject(span, request::header);
            status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) {
                error = "http_status";
            }
        } catch (TargetGuard.Forbidden e) {
            // Deterministic: retrying for a day would only repeat the refusal (a redelivery checks again).
            error = ErrorCode.WEBHOOK_TARGET_FORBIDDEN.code();
            giveUp = true;
        } catch (UnknownHostException e) {
            error = "dns_failed";
        } catch (HttpTimeoutException e) {
            error = "timeout";
        } catch (IOException e) {
            error = "connection_failed";
        } catch (InterruptedException e) {
            span.end();
            Thread.currentThread().interrupt();
            return;
        } catch (IllegalArgumentException e) {
            error = "invalid_url";
            giveUp = true;
        }
        Tracing.endDelivery(span, status, error);
        Instant finished = clock.now();
        WebhookStore.Attempt attempt = new WebhookStore.Attempt(claim.attempts() + 1, started, status, error,
                (System.nanoTime() - t0) / 1_000_000);
        String outcome;
        Instant next = null;
        if (error == null) {
            outcome = WebhookStore.SUCCEEDED;
        } else if (giveUp || !finished.isBefore(claim.retrySince().plus(settings.retryFor()))) {
            outcome = WebhookStore.FAILED;
        } else {
            outcome = WebhookStore.PENDING;
            next = finished.plus(backoff(claim.attempts() + 1));
        }
        String failure = error;
        LOG.fine(() -> "webhook delivery " + claim.deliveryId() + " attempt " + attempt.attempt() + ": "
                + (failure == null ? "delivered" : failure) + " -> " + outcome);
        try {
            store.finish(claim, attempt, outcome, next);
        } catch (RuntimeException e) {
            // Not recorded: the delivery is due again when its lease runs out, and goes out again with the same id.
            LOG.log(Database.isUnavailable(e) ? Level.FINE : Level.WARNING,
                    "webhook delivery " + claim.deliveryId() + ": attempt not recorded", e);
        }
    }

    /** The delay after the {@code n}th failed attempt: the base delay doubled n - 1 times, at most the maximum. */
    Duration backoff(int n) {
        Duration delay = settings.retryBaseDelay().multipliedBy(1L << Math.min(n - 1, 30));
        return delay.compareTo(settings.retryMaxDelay()) > 0 ? settings.retryMaxDelay() : delay;
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops claiming; sends in flight get until {@code deadlineNanos} ({@link System#nanoTime()}) to be recorded. */
    public void close(long deadlineNanos) {
        running = false;
        if (thread != null) {
            try {
                thread.join(Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        http.close();
    }

    @Override
    public void close() {
        close(System.nanoTime() + settings.timeout().toNanos());
    }
}
