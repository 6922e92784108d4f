package io.audiences.contract;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;


/**
 * Runs after both surefire executions (exec-maven-plugin, phase verify). For every database the suite ran
 * against, it compares the traffic recorded by {@link ContractCoverage} with the contract: the build fails
 * if a documented (operation, status) pair was never exercised, if an operation ever answered a status the
 * contract does not document, or if a request the contract does not declare got anything but 404 (no such path) or
 * 405 (a method the path does not have), or an OPTIONS anything but 204, or if a problem carried a code the contract's
 * {@code x-problem-codes} (the page {@code GET /docs/errors}) does not list. HEAD counts as its path's GET. It writes
 * the operation × status matrix to {@code report.md} beside the tallies.
 *
 * <p>Arguments: the coverage directory, and {@code test=} followed by surefire's {@code test} property — a run filtered
 * to some classes cannot cover everything, so the gate only reports then.
 */
public final class CoverageGate {

    private CoverageGate() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        // "test=${test}" arrives verbatim when no -Dtest was given.
        String testFilter = args.length > 1 ? args[1].substring("test=".length()) : "";
        boolean filtered = !testFilter.isBlank() && !testFilter.startsWith("${");
        Map<String, TreeSet<Integer>> documented = documentedStatuses();
        int pairs = documented.values().stream().mapToInt(TreeSet::size).sum();

        List<String> failures = new ArrayList<>();
        StringBuilder report = new StringBuilder("# Contract coverage: operation × documented status\n\n");
        int engines = 0;
        for (String engine : List.of("h2", "postgres")) {
            Map<String, Map<Integer, Long>> seen = read(dir, engine);
            if (seen.isEmpty()) {
                report.append("## ").append(engine).append(": no traffic recorded (not run)\n\n");
                continue;
            }
            engines++;
            List<String> missing = new ArrayList<>();
            List<String> undocumented = new ArrayList<>();
            report.append("## ").append(engine).append("\n\n| operation | documented statuses (requests) |\n|---|---|\n");
            documented.forEach((op, statuses) -> {
                Map<Integer, Long> counts = seen.getOrDefault(op, Map.of());
                List<String> cells = new ArrayList<>();
                for (int status : statuses) {
                    long n = counts.getOrDefault(status, 0L);
                    cells.add(status + " (" + n + ")");
                    if (n == 0) {
                        missing.add(op + " " + status);
                    }
                }
                counts.keySet().stream().filter(s -> !statuses.contains(s))
                        .forEach(s -> undocumented.add(op + " answered " + s));
                report.append("| ").append(op).append(" | ").append(String.join(", ", cells)).append(" |\n");
            });
            seen.getOrDefault(ContractCoverage.UNDECLARED, Map.of()).keySet().stream().filter(s -> s != 404 && s != 405)
                    .forEach(s -> undocumented.add("an undeclared route answered " + s));
            seen.getOrDefault(ContractCoverage.OPTIONS, Map.of()).keySet().stream().filter(s -> s != 204)
                    .forEach(s -> undocumented.add("OPTIONS answered " + s));
            seen.keySet().stream().filter(op -> !op.equals(ContractCoverage.UNDECLARED) && !op.equals(ContractCoverage.OPTIONS)
                            && !documented.containsKey(op))
                    .forEach(op -> undocumented.add("unknown operation " + op));
            String summary = engine + ": " + (pairs - missing.size()) + " of " + pairs
                    + " documented (operation, status) pairs exercised; " + undocumented.size() + " undocumented";
            report.append("\n").append(summary).append("\n\n");
            System.out.println("[coverage] " + summary);
            missing.forEach(m -> failures.add(engine + ": never exercised: " + m));
            undocumented.forEach(u -> failures.add(engine + ": undocumented: " + u));
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), report);
        System.out.println("[coverage] matrix written to " + dir.resolve("report.md"));
        if (filtered) {
            System.out.println("[coverage] test run filtered (-Dtest=" + testFilter + "): gate not enforced");
            return;
        }
        if (engines == 0) {
            failures.add("no coverage recorded: did the contract tests run?");
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.out.println("[coverage] " + f));
            throw new IllegalStateException("Contract coverage gate failed: " + failures.size() + " problem(s), first: "
                    + failures.getFirst());
        }
    }

    private static Map<String, TreeSet<Integer>> documentedStatuses() {
        Map<String, TreeSet<Integer>> result = new TreeMap<>();
        for (SpecOperations.Op op : SpecOperations.all()) {
            TreeSet<Integer> statuses = new TreeSet<>();
            op.operation().getResponses().keySet().forEach(code -> statuses.add(Integer.parseInt(code)));
            result.put(op.id(), statuses);
        }
        return result;
    }

    /** The tallies of every test JVM that ran this database's classes ({@code <engine>-<fork>.tsv}), added up. */
    private static Map<String, Map<Integer, Long>> read(Path dir, String engine) throws IOException {
        Map<String, Map<Integer, Long>> seen = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return seen;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, engine + "-*.tsv")) {
            for (Path file : files) {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.split("\t");
                    seen.computeIfAbsent(f[0], k -> new TreeMap<>()).merge(Integer.parseInt(f[1]), Long.parseLong(f[2]),
                            Long::sum);
                }
            }
        }
        return seen;
    }
}
