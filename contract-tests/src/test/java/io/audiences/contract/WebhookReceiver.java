package io.audiences.contract;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A webhook receiver as an integrator would write one, on a loopback port: it records every request with its
 * Standard Webhooks headers, answers the statuses queued with {@link #answer} (200 once the queue is empty), and
 * verifies signatures the way the Standard Webhooks reference libraries do, independently of the server's code.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One request as received, with its W3C trace context headers (null when absent). */
    record Received(String query, String id, String timestamp, String signature, String body, Instant at,
                    String traceparent, String tracestate) {
        JsonNode json() {
            return MAPPER.readTree(body);
        }

        String type() {
            return json().get("type").asString();
        }

        long audienceId() {
            return json().get("data").get("audience_id").asLong();
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Integer>> answers = new java.util.concurrent.ConcurrentHashMap<>();
    private final String path;
    private volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    WebhookReceiver(String path) throws IOException {
        this.path = path;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(path, exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            var h = exchange.getRequestHeaders();
            received.add(new Received(exchange.getRequestURI().getRawQuery(), h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                    h.getFirst("webhook-signature"), body, Instant.now(), h.getFirst("traceparent"), h.getFirst("tracestate")));
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Queue<Integer> queued = answers.get(String.valueOf(exchange.getRequestURI().getRawQuery()));
            Integer status = queued == null ? null : queued.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests to the URL with this query get these statuses, in order. */
    void answer(String query, Integer... statuses) {
        answers.computeIfAbsent(query, q -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    /** Until {@link #open}, requests are recorded but not answered (the sender waits, as on a slow receiver). */
    void hold() {
        gate = new java.util.concurrent.CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Waits until some received request matches (15 s at most) and returns the matching ones. */
    List<Received> await(Predicate<Received> what, int count) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            List<Received> matching = received.stream().filter(what).toList();
            if (matching.size() >= count) {
                return matching;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("expected " + count + " matching webhook(s); received: " + received);
        return List.of();
    }

    /** Each distinct webhook-id once, in arrival order: what a deduplicating receiver processes. */
    static Map<String, Received> deduplicated(List<Received> all) {
        Map<String, Received> byId = new LinkedHashMap<>();
        all.forEach(r -> byId.putIfAbsent(r.id(), r));
        return byId;
    }

    /** Standard Webhooks verification: v1 HMAC-SHA256 over id.timestamp.body with the secret's bytes. */
    static boolean verifies(Received r, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            String expected = "v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
            for (String candidate : r.signature().split(" ")) {
                if (java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        candidate.getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        open();
        server.stop(0);
    }
}
