package io.audiences.contract;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * HAProxy (Debian's package) in front of server instances, started with a generated configuration on free ports and
 * stopped with the test. Each frontend balances round robin over its own list of instances, health-checks them on
 * {@code /health}, and names the instance that answered in {@code X-Audiences-Instance}.
 */
final class LoadBalancer implements AutoCloseable {

    static final String INSTANCE_HEADER = "X-Audiences-Instance";

    private final Process process;
    private final Path dir;
    private final List<Integer> ports;

    private LoadBalancer(Process process, Path dir, List<Integer> ports) {
        this.process = process;
        this.dir = dir;
        this.ports = ports;
    }

    /**
     * The HAProxy binary; without one the test is skipped, except in CI ({@code AUDIENCES_REQUIRE_POSTGRES=true}),
     * where {@code .ci/run} installs it and its absence is a failure.
     */
    static Path binary() {
        Optional<Path> found = Stream.concat(Stream.of("/usr/sbin", "/usr/local/sbin"),
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")))
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, "haproxy"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("AUDIENCES_REQUIRE_POSTGRES"))) {
                fail("HAProxy is required in CI (apt-get install haproxy) but was not found");
            }
            Assumptions.abort("HAProxy not installed (apt-get install haproxy): the multi-instance test is skipped");
        }
        return found.get();
    }

    /**
     * Starts HAProxy with one frontend per pool of backend ports; returns once every frontend accepts connections.
     * Frontend {@code i} balances over {@code pools.get(i)}.
     */
    static LoadBalancer start(List<List<Integer>> pools) throws IOException, InterruptedException {
        Path binary = binary();
        Path dir = Files.createTempDirectory("audiences-haproxy");
        List<Integer> ports = new ArrayList<>();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 4000
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                    # A loaded instance may take a while to answer /health; a dead one refuses the connection at once.
                    timeout check 2s
                    # A request that could not reach an instance (it was just killed) goes to another one; nothing that
                    # reached an instance is ever sent twice.
                    retries 2
                    retry-on conn-failure
                    option redispatch 1
                """);
        for (int i = 0; i < pools.size(); i++) {
            int port = freePort();
            ports.add(port);
            cfg.append("frontend f").append(i).append('\n')
                    .append("    bind 127.0.0.1:").append(port).append('\n')
                    .append("    default_backend b").append(i).append('\n')
                    .append("backend b").append(i).append('\n')
                    .append("    balance roundrobin\n")
                    .append("    option httpchk\n")
                    // HTTP/1.1 with a Host: the server refuses HAProxy's default HTTP/1.0 probe without one.
                    .append("    http-check send meth GET uri /health ver HTTP/1.1 hdr Host localhost\n")
                    .append("    http-response set-header ").append(INSTANCE_HEADER).append(" %[srv_name]\n");
            for (int backend : pools.get(i)) {
                cfg.append("    server i").append(backend).append(" 127.0.0.1:").append(backend)
                        .append(" check inter 500ms fall 2 rise 1\n");
            }
        }
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, cfg);
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        LoadBalancer balancer = new LoadBalancer(process, dir, ports);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        for (int port : ports) {
            while (!accepts(port)) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    String log = Files.readString(dir.resolve("haproxy.log"));
                    balancer.close();
                    fail("HAProxy did not start:\n" + log + "\n" + cfg);
                }
                Thread.sleep(50);
            }
        }
        return balancer;
    }

    /** The port of frontend {@code i}. */
    int port(int frontend) {
        return ports.get(frontend);
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        process.onExit().join();
        TestFiles.deleteRecursively(dir);
    }
}
