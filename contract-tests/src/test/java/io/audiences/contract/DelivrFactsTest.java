package io.audiences.contract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The machine-readable table of every [DOC] fact of Delivr's documentation ({@code delivr/facts.yaml}), held against
 * the fact sheet ({@code delivr/domain.md}, a copy of {@code ../shared/domain.md}) and against {@code openapi.yaml}, so
 * a contract change cannot silently break wire compatibility with Delivr's clients. No server needed.
 *
 * <p>What counts as a fact (in the numbered sections of domain.md): a bullet (with its indented continuation lines),
 * a table row (not the header) or a paragraph that carries a {@code [DOC} tag, or a table row with a cell starting
 * with {@code DOC}; and, under a heading tagged {@code [DOC]} / {@code [DOC unless tagged]}, every bullet and table
 * row that is not itself a proposal: a bullet starting with {@code [INF]}/{@code [GAP]}, a single sentence ending with
 * one, or a row with an {@code INF}/{@code GAP} cell.
 */
class DelivrFactsTest {

    private static final Set<String> STATUSES = Set.of("matched", "differs", "out-of-scope");
    private static final Pattern HEADING = Pattern.compile("^(#{2,3}) (.*)$");
    private static final Pattern NUMBERED = Pattern.compile("^\\d+\\. .*");
    private static final Pattern SEPARATOR_ROW = Pattern.compile("^\\|[\\s\\-:|]+\\|$");
    private static final Pattern BULLET = Pattern.compile("^( *)- (.*)$");
    private static final Pattern LEADING_PROPOSAL = Pattern.compile("^\\[(INF|GAP)");
    private static final Pattern TRAILING_PROPOSAL = Pattern.compile("\\[(INF|GAP)[^\\]]*\\]\\.?$");
    private static final Pattern PROPOSAL_CELL = Pattern.compile("^\\[?(INF|GAP).*");

    /** One item of domain.md: a bullet, a table row or a paragraph, with the heading it sits under. */
    record Item(String section, String kind, String text, boolean docSection) {

        boolean isFact() {
            if (text.contains("[DOC") || "row".equals(kind) && cells().stream().anyMatch(c -> c.startsWith("DOC"))) {
                return true;
            }
            return docSection && !"para".equals(kind) && !proposal();
        }

        private boolean proposal() {
            if ("row".equals(kind)) {
                return cells().stream().anyMatch(c -> PROPOSAL_CELL.matcher(c).matches());
            }
            return LEADING_PROPOSAL.matcher(text).find()
                    || TRAILING_PROPOSAL.matcher(text).find() && occurrences(text, ". ") < 2;
        }

        private List<String> cells() {
            String row = text.strip();
            row = row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length());
            return List.of(row.split("\\|", -1)).stream().map(String::strip).toList();
        }
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    static List<Item> facts(List<String> lines) {
        List<Item> items = new ArrayList<>();
        String section = null;
        boolean docSection = false;
        boolean numbered = false;
        int tableRow = 0;
        StringBuilder current = null;
        String kind = null;
        for (String line : lines) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                flush(items, section, kind, current, docSection);
                current = null;
                section = heading.group(2);
                if (heading.group(1).length() == 2) {
                    numbered = NUMBERED.matcher(section).matches();
                }
                docSection = section.contains("[DOC");
                tableRow = 0;
                continue;
            }
            if (!numbered) {
                continue;
            }
            if (line.startsWith("|")) {
                flush(items, section, kind, current, docSection);
                current = null;
                if (SEPARATOR_ROW.matcher(line).matches()) {
                    continue;
                }
                tableRow++;
                if (tableRow > 1) {
                    items.add(new Item(section, "row", line.strip(), docSection));
                }
                continue;
            }
            tableRow = 0;
            Matcher bullet = BULLET.matcher(line);
            if (bullet.matches()) {
                flush(items, section, kind, current, docSection);
                current = new StringBuilder(bullet.group(2).strip());
                kind = "bullet";
                continue;
            }
            if (current != null && "bullet".equals(kind) && line.startsWith(" ") && !line.isBlank()
                    || current != null && "para".equals(kind) && !line.isBlank()) {
                current.append(' ').append(line.strip());
                continue;
            }
            flush(items, section, kind, current, docSection);
            current = null;
            if (!line.isBlank()) {
                current = new StringBuilder(line.strip());
                kind = "para";
            }
        }
        flush(items, section, kind, current, docSection);
        return items.stream().filter(Item::isFact).toList();
    }

    private static void flush(List<Item> items, String section, String kind, StringBuilder current, boolean docSection) {
        if (current != null) {
            items.add(new Item(section, kind, current.toString(), docSection));
        }
    }

    static String normalized(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    private static List<String> resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(DelivrFactsTest.class.getClassLoader().getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> table() throws IOException {
        try (InputStream in = DelivrFactsTest.class.getClassLoader().getResourceAsStream("delivr/facts.yaml")) {
            return (List<Map<String, Object>>) new Yaml().load(in);
        }
    }

    private static Object contract() throws IOException {
        return new Yaml().load(Files.readString(BreakingChangeTest.CONTRACT));
    }

    /** Resolves an RFC 6901 JSON pointer in the parsed YAML; null when a step is missing. */
    @SuppressWarnings("unchecked")
    static Object resolve(Object root, String pointer) {
        if (pointer.isEmpty()) {
            return root;
        }
        Object node = root;
        for (String raw : pointer.substring(1).split("/", -1)) {
            String token = raw.replace("~1", "/").replace("~0", "~");
            if (node instanceof Map<?, ?> map && map.containsKey(token)) {
                node = map.get(token);
            } else if (node instanceof List<?> list && token.matches("\\d+") && Integer.parseInt(token) < list.size()) {
                node = list.get(Integer.parseInt(token));
            } else {
                return null;
            }
        }
        return node;
    }

    @Test
    void theCopyOfTheFactSheetIsCurrent() throws IOException {
        // Beside the repository (the team's checkout), ../shared/domain.md is the source; the copy must follow it.
        Path shared = BreakingChangeTest.CONTRACT.resolveSibling("../shared/domain.md").normalize();
        if (Files.exists(shared)) {
            assertThat("contract-tests/src/test/resources/delivr/domain.md is a copy of " + shared,
                    resource("delivr/domain.md"), is(Files.readString(shared).lines().toList()));
        }
    }

    @Test
    void everyDocFactIsInTheTableWithItsText() throws IOException {
        List<Item> facts = facts(resource("delivr/domain.md"));
        List<Map<String, Object>> table = table();
        Map<String, Map<String, Object>> byText = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> row : table) {
            if (!ids.add((String) row.get("id"))) {
                problems.add("duplicate id " + row.get("id"));
            }
            byText.put(normalized((String) row.get("text")), row);
        }
        for (Item fact : facts) {
            Map<String, Object> row = byText.remove(normalized(fact.text()));
            if (row == null) {
                problems.add("not in facts.yaml: [" + fact.section() + "] " + normalized(fact.text()));
            } else if (!fact.section().equals(row.get("section"))) {
                problems.add(row.get("id") + ": section is " + fact.section());
            }
        }
        byText.values().forEach(row -> problems.add(row.get("id") + " is not a [DOC] fact of domain.md (any more)"));
        assertThat(problems, is(empty()));
        assertThat("facts counted in domain.md", table.size(), is(facts.size()));
    }

    @Test
    void everyPointerResolvesAndMatchedValuesHold() throws IOException {
        Object contract = contract();
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> row : table()) {
            String id = (String) row.get("id");
            String status = (String) row.get("status");
            String pointer = (String) row.get("pointer");
            String reason = (String) row.get("reason");
            if (!STATUSES.contains(status)) {
                problems.add(id + ": status " + status);
                continue;
            }
            if (!"matched".equals(status) && (reason == null || reason.isBlank())) {
                problems.add(id + ": " + status + " needs a reason");
            }
            if (pointer == null) {
                if (!"out-of-scope".equals(status)) {
                    problems.add(id + ": " + status + " needs a contract location");
                }
                continue;
            }
            Object node = resolve(contract, pointer);
            if (node == null) {
                problems.add(id + ": " + pointer + " does not resolve in openapi.yaml");
                continue;
            }
            if (row.containsKey("value") && "matched".equals(status) || row.containsKey("value") && "differs".equals(status)) {
                Object expected = row.get("value");
                boolean holds = expected instanceof List<?> items
                        ? node instanceof List<?> actual && actual.containsAll(items)
                        : expected.equals(node);
                if (!holds) {
                    problems.add(id + ": " + pointer + " is " + node + ", expected " + expected);
                }
            }
        }
        assertThat(problems, is(empty()));
    }
}
