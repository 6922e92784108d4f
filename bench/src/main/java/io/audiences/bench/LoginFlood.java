package io.audiences.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.audiences.server.Application;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;

/**
 * {@code bin/bench --login-flood [--attackers 24] [--seconds 20] [--addresses 1|N] [--address-free N]}: what a flood
 * of wrong passwords does to another tenant. One tenant's API-key client reads its project
 * ({@code GET /api/v1/projects/{id}}) on one keep-alive connection, first alone ("quiet"), then while
 * {@code --attackers} anonymous keep-alive connections send {@code POST /auth/v1/login} with wrong passwords for
 * ever-new emails as fast as they are answered ("flood"). Reported: the victim's p50 / p99 / max in both phases and
 * their ratio, the attackers' answers by status and per second, and the JVM's heap (sampled every 100 ms; the server
 * and this load generator share the JVM).
 * <p>
 * {@code --addresses N} spreads the attackers over N loopback source addresses (127.0.0.2 ...), as a botnet would;
 * with {@code --address-free} set high the per-address budget never runs out either, so every attempt reaches the
 * password-hashing pool: that measures the pool's shedding rather than the throttle. Adding
 * {@code --hashing-threads 24} (a pool as large as the flood, with a long queue) approximates the server before the
 * bounded pool, in the same run conditions, as the baseline.
 */
final class LoginFlood {

    private final Application app;
    private final int attackers;
    private final Duration phase;
    private final int addresses;
    private String apiKey;
    private String apiSecret;
    private Project project;

    LoginFlood(Application app, Map<String, String> options) {
        this.app = app;
        this.attackers = Integer.parseInt(options.getOrDefault("attackers", "24"));
        this.phase = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "20")));
        this.addresses = Integer.parseInt(options.getOrDefault("addresses", "1"));
    }

    void run() throws Exception {
        victim();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        // Warm-up: JIT, connection pool, contract schemas.
        measureVictim(Duration.ofSeconds(5), new AtomicBoolean());
        Result quiet = phase("quiet", false);
        Result flood = phase("flood", true);
        System.out.printf(Locale.ROOT, "%nlogin flood: %d attacker connections from %d address(es), %d s per phase%n",
                attackers, addresses, phase.toSeconds());
        System.out.printf(Locale.ROOT, "%-6s %10s %10s %10s %10s %12s %s%n", "phase", "GETs", "p50 ms", "p99 ms", "max ms",
                "peak heap", "attackers' answers");
        for (Result r : List.of(quiet, flood)) {
            System.out.printf(Locale.ROOT, "%-6s %10d %10.1f %10.1f %10.1f %8d MiB %s%n", r.label, r.latencies.length,
                    r.percentile(0.50), r.percentile(0.99), r.percentile(1.0), r.peakHeap >> 20, r.attackSummary());
        }
        System.out.printf(Locale.ROOT, "p99 under flood / quiet: %.2f (target <= 2); heap before %d MiB%n",
                flood.percentile(0.99) / quiet.percentile(0.99), heapBefore >> 20);
        samples.forEach((status, body) -> System.out.println("  an attacker's " + status + ": " + body));
    }

    /** A tenant of its own with an API key pair, the bystander whose latency is measured. */
    private void victim() {
        Organization org = app.database().inTransaction(tx -> app.tenancy().createTopLevel(tx, "Victim", Optional.empty()));
        project = app.database().inTransaction(tx -> app.tenancy().createProject(tx, org.id(), "Victim project"));
        CredentialService.NewClient client = app.database().inTransaction(tx ->
                app.credentials().createClient(tx, org.id(), "victim", true, "read_write"));
        apiKey = client.key().apiKey();
        apiSecret = client.key().apiSecret();
    }

    private record Result(String label, double[] latencies, long peakHeap, Map<Integer, Long> answers, double seconds) {
        double percentile(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            return latencies[Math.min(latencies.length - 1, (int) Math.ceil(p * latencies.length) - 1)];
        }

        String attackSummary() {
            if (answers.isEmpty()) {
                return "-";
            }
            StringBuilder sb = new StringBuilder();
            answers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(e.getKey()).append(" x ")
                    .append(e.getValue()).append(String.format(Locale.ROOT, " (%.0f/s)  ", e.getValue() / seconds)));
            return sb.toString().trim();
        }
    }

    private Result phase(String label, boolean flood) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        if (flood) {
            for (int i = 0; i < attackers; i++) {
                String source = "127.0.0." + (2 + i % addresses);
                threads.add(Thread.ofPlatform().daemon().name("attacker-" + i).start(() -> attack(source, stop, answers)));
            }
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!stop.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long started = System.nanoTime();
        double[] latencies = measureVictim(phase, stop);
        double seconds = (System.nanoTime() - started) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        sampler.join();
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        answers.forEach((status, n) -> counts.put(status, n.sum()));
        return new Result(label, latencies, peak.get(), counts, seconds);
    }

    /** The bystander's GETs, one after another on one connection, for {@code duration}; their latencies, sorted. */
    private double[] measureVictim(Duration duration, AtomicBoolean stop) throws IOException {
        String request = "GET /api/v1/projects/" + project.id() + " HTTP/1.1\r\nHost: bench\r\nX-Api-Key: " + apiKey
                + "\r\nX-Api-Secret: " + apiSecret + "\r\n\r\n";
        List<Double> took = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        try (Connection c = new Connection(null, app.port())) {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                int status = c.exchange(request);
                if (status != 200) {
                    throw new IllegalStateException("the victim's GET answered " + status);
                }
                took.add((System.nanoTime() - t0) / 1e6);
            }
        }
        stop.set(true);
        double[] sorted = took.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /** One answer body per status the attackers saw, printed with the results. */
    private final Map<Integer, String> samples = new ConcurrentHashMap<>();

    private void attack(String source, AtomicBoolean stop, Map<Integer, LongAdder> answers) {
        while (!stop.get()) {
            try (Connection c = new Connection(addresses > 1 ? source : null, app.port())) {
                while (!stop.get()) {
                    String body = "{\"email\":\"victim-" + UUID.randomUUID() + "@example.com\",\"password\":\"wrong-"
                            + UUID.randomUUID() + "\"}";
                    int status = c.exchange("POST /auth/v1/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n" + body);
                    answers.computeIfAbsent(status, s -> new LongAdder()).increment();
                    samples.putIfAbsent(status, c.body);
                }
            } catch (IOException e) {
                answers.computeIfAbsent(-1, s -> new LongAdder()).increment();
            }
        }
    }

    /** A minimal HTTP/1.1 keep-alive client: one request at a time, bodies read by Content-Length. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(String source, int port) throws IOException {
            socket = new Socket();
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** The body of the last answer. */
        String body = "";

        int exchange(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(header.substring(15).trim());
                }
            }
            body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return status;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
