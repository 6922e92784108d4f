package io.audiences.server.upstream;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;

/**
 * The {@code generate} and {@code load} commands of the server jar.
 * <pre>
 * generate --out DIR [options]     write a synthetic set as NDJSON files
 * generate --db [options]          insert a synthetic set into the configured database (bulk path)
 *   --seed N (1) --profiles N (20000) --days N (30) --signals N (10 per profile) --topics N
 *   --end-day YYYY-MM-DD (today, UTC) --unlanded K (with --db: leave the newest K days out, as late data)
 * load --dir DIR [--day YYYY-MM-DD | --through YYYY-MM-DD]
 * </pre>
 */
public final class DataCommand {

    public static final String USAGE = """
            usage: java -jar audiences-server.jar generate (--out DIR | --db) [--seed N] [--profiles N] [--days N]
                                                  [--signals N] [--topics N] [--end-day YYYY-MM-DD] [--unlanded K]
                   java -jar audiences-server.jar load --dir DIR [--day YYYY-MM-DD | --through YYYY-MM-DD]""";

    private static final Set<String> FLAGS = Set.of("--db");

    private DataCommand() {
    }

    public static boolean handles(String command) {
        return "generate".equals(command) || "load".equals(command);
    }

    /** Parses {@code --name value} pairs and bare flags. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            if (FLAGS.contains(a)) {
                options.put(a, "true");
            } else if (i + 1 < args.length) {
                options.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return options;
    }

    static SyntheticData.Spec spec(Map<String, String> o) {
        int profiles = intOption(o, "--profiles", 20_000);
        return new SyntheticData.Spec(
                Long.parseLong(o.getOrDefault("--seed", "1")),
                profiles,
                intOption(o, "--days", 30),
                Optional.ofNullable(o.get("--end-day")).map(LocalDate::parse).orElse(LocalDate.now(ZoneOffset.UTC)),
                Long.parseLong(o.getOrDefault("--signals", Long.toString(SyntheticData.Spec.defaultSignals(profiles)))),
                intOption(o, "--topics", SyntheticData.Spec.defaultTopics(profiles)));
    }

    private static int intOption(Map<String, String> o, String name, int defaultValue) {
        return Integer.parseInt(o.getOrDefault(name, Integer.toString(defaultValue)));
    }

    /**
     * The configured database, opened for the command and closed after it. Main opens it (as the server would, the
     * schema migrated), so this package needs nothing from the composition root.
     */
    public record Opened(Database database, Runnable closer) implements AutoCloseable {
        @Override
        public void close() {
            closer.run();
        }
    }

    /** Runs the command, opening the database only for the commands that write to it; returns the process exit code. */
    public static int run(String[] args, Supplier<Opened> open) {
        Map<String, String> o;
        try {
            o = options(args);
            if ("generate".equals(args[0]) && o.containsKey("--out") == o.containsKey("--db")) {
                throw new IllegalArgumentException("generate needs exactly one of --out DIR and --db");
            }
            if ("load".equals(args[0]) && !o.containsKey("--dir")) {
                throw new IllegalArgumentException("load needs --dir DIR");
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        Progress progress = Progress.to(System.err);
        long started = System.nanoTime();
        try {
            if ("generate".equals(args[0])) {
                SyntheticData data = new SyntheticData(spec(o));
                describe(data);
                if (o.containsKey("--out")) {
                    Path dir = Path.of(o.get("--out"));
                    long signals = NdjsonFiles.write(data, dir, progress);
                    progress.finish();
                    report("wrote " + dir.toAbsolutePath() + ": " + signals + " signals", signals, started);
                    return 0;
                }
                try (Opened opened = open.get()) {
                    started = System.nanoTime();
                    UpstreamWriter.Counts counts = new UpstreamWriter(opened.database(), Clock.SYSTEM)
                            .write(data, intOption(o, "--unlanded", 0), progress);
                    progress.finish();
                    report(summary(counts), counts.signals(), started);
                }
                return 0;
            }
            try (Opened opened = open.get()) {
                started = System.nanoTime();
                UpstreamWriter.Counts counts = NdjsonFiles.load(new UpstreamWriter(opened.database(), Clock.SYSTEM),
                        Path.of(o.get("--dir")), Optional.ofNullable(o.get("--day")).map(LocalDate::parse),
                        Optional.ofNullable(o.get("--through")).map(LocalDate::parse), progress);
                progress.finish();
                report(summary(counts), counts.signals(), started);
            }
            return 0;
        } catch (Exception e) {
            System.err.println(args[0] + " failed: " + e);
            return 1;
        }
    }

    private static void describe(SyntheticData data) {
        SyntheticData.Spec s = data.spec();
        System.err.printf(Locale.ROOT, "generating seed %d: %,d profiles, %d days %s..%s, ~%,d signals, %,d topics, %,d companies%n",
                s.seed(), s.profiles(), s.days(), s.firstDay(), s.endDay(), s.signals(), s.topics(), data.companies().size());
    }

    private static String summary(UpstreamWriter.Counts c) {
        return String.format(Locale.ROOT, "loaded %d categories, %d subcategories, %d topics, %d companies, %d records, "
                        + "%d signals; landed %d day(s)%s", c.categories(), c.subcategories(), c.topics(), c.companies(),
                c.records(), c.signals(), c.landedDays().size(),
                c.landedDays().isEmpty() ? "" : " " + c.landedDays().getFirst() + ".." + c.landedDays().getLast());
    }

    private static void report(String what, long signals, long started) {
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "%s in %.1f s (%,.0f signals/s)%n", what, seconds, signals / Math.max(seconds, 1e-9));
    }
}
