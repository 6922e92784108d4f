package io.audiences.contract;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration reference ({@code docs/configuration.md}), generated from its one source: the server's
 * {@code application.yaml}, whose comments are the documentation. Every key there is a setting; a commented-out
 * key ({@code # batch: 5}) is a setting that is unset by default. The environment variable of a key is Helidon's
 * mapping of it (upper case, {@code .} and {@code -} as {@code _}); a comment saying "Overridden by NAME" adds the
 * variable the server reads itself, which wins over every other source.
 */
final class ConfigReference {

    /** One setting. */
    record Setting(String key, List<String> env, String defaultValue, String meaning) { }

    private static final Pattern KEY = Pattern.compile("^( *)([a-z][a-z0-9-]*):(?: +(.*?))?(?: +# *(.*))?$");
    private static final Pattern OPTIONAL_KEY = Pattern.compile("^( *)# ([a-z][a-z0-9-]*): (\\S+)$");
    private static final Pattern COMMENT = Pattern.compile("^ *# ?(.*)$");
    private static final Pattern OVERRIDDEN_BY = Pattern.compile("Overridden by ([A-Z][A-Z0-9_]+)");

    private ConfigReference() {
    }

    /** The settings of {@code yaml}, in file order. */
    static List<Setting> settings(String yaml) {
        List<Setting> settings = new ArrayList<>();
        Deque<String[]> parents = new ArrayDeque<>(); // {indent, key}
        List<String> comment = new ArrayList<>();
        // A comment also describes the keys right after the one it precedes that have none of their own (quotas).
        List<String> shared = List.of();
        for (String line : yaml.split("\n")) {
            if (line.isBlank()) {
                comment.clear();
                shared = List.of();
                continue;
            }
            Matcher optional = OPTIONAL_KEY.matcher(line);
            Matcher key = KEY.matcher(line);
            if (optional.matches()) {
                popTo(parents, optional.group(1).length());
                shared = comment.isEmpty() ? shared : List.copyOf(comment);
                settings.add(setting(parents, optional.group(2), null, shared));
                comment.clear();
            } else if (line.stripLeading().startsWith("#")) {
                Matcher c = COMMENT.matcher(line);
                c.matches();
                comment.add(c.group(1).strip());
            } else if (key.matches()) {
                int indent = key.group(1).length();
                popTo(parents, indent);
                if (key.group(3) == null || key.group(3).isEmpty()) {
                    parents.push(new String[] {Integer.toString(indent), key.group(2)});
                    shared = List.of();
                } else {
                    shared = comment.isEmpty() ? shared : List.copyOf(comment);
                    List<String> own = new ArrayList<>(shared);
                    if (key.group(4) != null) {
                        own.add("— " + key.group(4).strip());
                    }
                    settings.add(setting(parents, key.group(2), key.group(3), own));
                }
                comment.clear();
            } else {
                throw new IllegalArgumentException("Not understood in application.yaml: " + line);
            }
        }
        return settings;
    }

    private static void popTo(Deque<String[]> parents, int indent) {
        while (!parents.isEmpty() && Integer.parseInt(parents.peek()[0]) >= indent) {
            parents.pop();
        }
    }

    private static Setting setting(Deque<String[]> parents, String name, String value, List<String> comment) {
        List<String> path = new ArrayList<>();
        parents.descendingIterator().forEachRemaining(p -> path.add(p[1]));
        path.add(name);
        String key = String.join(".", path);
        String meaning = String.join(" ", comment);
        Set<String> env = new LinkedHashSet<>();
        env.add(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        Matcher m = OVERRIDDEN_BY.matcher(meaning);
        while (m.find()) {
            env.add(m.group(1));
        }
        String defaultValue = value == null ? "unset" : "\"\"".equals(value) ? "empty" : value;
        return new Setting(key, List.copyOf(env), defaultValue, meaning);
    }

    /** The Markdown page. */
    static String markdown(List<Setting> settings) {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n")
                .append("<!-- Generated from src/main/resources/application.yaml by ConfigurationReferenceTest: edit the yaml\n")
                .append("     and its comments, then copy contract-tests/target/configuration.md here. -->\n\n")
                .append("Every setting of the server, from `src/main/resources/application.yaml` (its comments are the\n")
                .append("descriptions below). Each can be given in four ways, the first found wins:\n\n")
                .append("1. where a description says \"Overridden by NAME\", that variable: the server reads it itself, so it\n")
                .append("   wins even over a system property;\n")
                .append("2. a JVM system property named like the file key: `JAVA_OPTS=-Daudiences.builds.backlog=50`;\n")
                .append("3. the environment variable named like the file key, upper case with `.` and `-` as `_`\n")
                .append("   (`AUDIENCES_BUILDS_BACKLOG=50`, `SERVER_PORT=9090`);\n")
                .append("4. `application.yaml` (the defaults below).\n\n")
                .append("Durations are ISO-8601 (`PT30S`, `PT1M`). `server.*` keys are Helidon WebServer's: any other option\n")
                .append("of [Helidon's server configuration](https://helidon.io/docs/v4/se/webserver) works the same way.\n\n")
                .append("| File key | Environment variable | Default | Meaning |\n")
                .append("|---|---|---|---|\n");
        for (Setting s : settings) {
            md.append("| `").append(s.key()).append("` | ")
                    .append(String.join(" or ", s.env().stream().map(e -> "`" + e + "`").toList())).append(" | ")
                    .append(s.defaultValue().equals("unset") || s.defaultValue().equals("empty") ? s.defaultValue()
                            : "`" + s.defaultValue() + "`")
                    .append(" | ").append(s.meaning().replace("|", "\\|")).append(" |\n");
        }
        return md.toString();
    }
}
