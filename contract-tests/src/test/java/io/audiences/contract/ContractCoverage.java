package io.audiences.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.audiences.server.platform.Contract;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Records which operation answered which status during a surefire run, so {@link CoverageGate} can compare
 * the suite's traffic with the statuses the contract documents. A request the contract does not declare is
 * recorded under {@value #UNDECLARED}. The tally is written once, when the test JVM exits, to
 * {@code <audiences.coverage.dir>/<engine>-<fork>.tsv} (operation, status, count): surefire runs the classes of one
 * database in several JVMs ({@code audiences.test.fork} numbers them), and {@link CoverageGate} adds their files up.
 */
public final class ContractCoverage implements Filter {

    static final String UNDECLARED = "(undeclared)";
    /** OPTIONS, which every path of the contract answers with 204 and {@code Allow} (and CORS preflights). */
    static final String OPTIONS = "(options)";
    static final ContractCoverage FILTER = new ContractCoverage();

    private static final Contract CONTRACT = Contract.load();
    /** The codes {@code GET /docs/errors} describes; a problem with another code is tallied as an unknown operation. */
    private static final java.util.Set<String> PROBLEM_CODES = CONTRACT.problemCodes().stream()
            .map(Contract.ProblemCode::code).collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final Map<String, LongAdder> TALLY = new ConcurrentHashMap<>();

    static {
        String dir = System.getProperty("audiences.coverage.dir");
        if (dir != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> write(Path.of(dir,
                    TestDatabase.engine() + "-" + System.getProperty("audiences.test.fork", "1") + ".tsv"))));
        }
    }

    private ContractCoverage() {
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                           FilterContext context) {
        Response answer = context.next(request, response);
        record(request.getMethod(), URI.create(request.getURI()).getRawPath(), answer.statusCode());
        String contentType = answer.getContentType();
        if (contentType != null && contentType.startsWith("application/problem+json") && !request.getMethod().equals("HEAD")) {
            String code = answer.jsonPath().getString("code");
            if (!PROBLEM_CODES.contains(code)) {
                // CoverageGate fails on it: the problem's type would point at a section /docs/errors does not have.
                TALLY.computeIfAbsent("(problem code missing from x-problem-codes: " + code + ")\t" + answer.statusCode(),
                        k -> new LongAdder()).increment();
            }
        }
        return answer;
    }

    /** For requests that do not go through REST Assured (raw sockets). */
    static void record(String method, String path, int status) {
        // HEAD is answered by the path's GET operation, with its statuses.
        String operation = method.equals("OPTIONS") && !CONTRACT.methodsOf(path).isEmpty() ? OPTIONS
                : CONTRACT.match(method.equals("HEAD") ? "GET" : method, path).map(Contract.Operation::id).orElse(UNDECLARED);
        TALLY.computeIfAbsent(operation + "\t" + status, k -> new LongAdder()).increment();
    }

    private static void write(Path file) {
        StringBuilder tsv = new StringBuilder();
        new TreeMap<>(TALLY).forEach((key, count) -> tsv.append(key).append('\t').append(count.sum()).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, tsv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
