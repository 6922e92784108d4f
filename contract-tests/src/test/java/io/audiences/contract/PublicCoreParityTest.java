package io.audiences.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * Every {@code publicCore*} operation of {@code openapi.yaml} documents the same wire shape as its base operation (the
 * same path without {@code /public/core}): parameters, request body, responses with their headers, media types and
 * schemas, and the {@code x-} extensions. Allowed to differ: {@code operationId}, {@code tags}, {@code security}, the
 * prose ({@code summary}, {@code description}, {@code examples}), and, where the Public Core operation needs the app
 * credentials beside the JWT, a 401 the base operation may lack. Compared as written ({@code $ref}s unresolved), so
 * a Public Core operation that names another schema or response than its base fails even if both look alike today.
 * No server needed.
 */
class PublicCoreParityTest {

    private static final String PREFIX = "/public/core";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete", "head", "options");
    private static final Set<String> SURFACE_ONLY = Set.of("operationId", "tags", "security");
    private static final Set<String> PROSE = Set.of("summary", "description", "examples", "example");

    @SuppressWarnings("unchecked")
    @Test
    void everyPublicCoreOperationEqualsItsBaseOperation() throws IOException {
        Map<String, Object> spec = new Yaml().load(Files.readString(BreakingChangeTest.CONTRACT));
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
        List<String> drift = new ArrayList<>();
        int compared = 0;
        for (var path : paths.entrySet()) {
            if (!path.getKey().startsWith(PREFIX)) {
                continue;
            }
            String basePath = path.getKey().length() == PREFIX.length() ? "/" : path.getKey().substring(PREFIX.length());
            Map<String, Object> base = paths.get(basePath);
            if (base == null) {
                drift.add(path.getKey() + ": no base path " + basePath);
                continue;
            }
            if (!path.getValue().keySet().equals(base.keySet())) {
                drift.add(path.getKey() + ": methods " + path.getValue().keySet() + " but " + basePath + " has " + base.keySet());
            }
            for (var op : path.getValue().entrySet()) {
                if (!METHODS.contains(op.getKey()) || !base.containsKey(op.getKey())) {
                    continue;
                }
                Map<String, Object> core = (Map<String, Object>) op.getValue();
                Map<String, Object> baseOp = (Map<String, Object>) base.get(op.getKey());
                String where = op.getKey().toUpperCase() + " " + path.getKey() + " (" + core.get("operationId") + " vs "
                        + baseOp.get("operationId") + ")";
                if (!String.valueOf(core.get("operationId")).startsWith("publicCore")) {
                    drift.add(where + ": operationId does not start with publicCore");
                }
                Map<String, Object> coreShape = shape(core);
                Map<String, Object> baseShape = shape(baseOp);
                if (needsAppCredentials(core)) {
                    // The 401 of a missing or wrong app credential pair, which the base operation may not answer.
                    ((Map<String, Object>) coreShape.getOrDefault("responses", Map.of())).keySet().stream()
                            .filter("401"::equals).findFirst()
                            .ifPresent(s -> ((Map<String, Object>) baseShape.computeIfAbsent("responses",
                                    k -> new LinkedHashMap<>())).putIfAbsent(s, ((Map<String, Object>) coreShape
                                    .get("responses")).get(s)));
                }
                compare(where, "", baseShape, coreShape, drift);
                compared++;
            }
        }
        assertThat("Public Core operations compared", compared, greaterThan(15));
        assertThat(String.join("\n", drift), drift, is(empty()));
    }

    @SuppressWarnings("unchecked")
    private static boolean needsAppCredentials(Map<String, Object> op) {
        Object security = op.get("security");
        return security instanceof List<?> list && list.stream()
                .anyMatch(s -> ((Map<String, Object>) s).containsKey("appClientId")
                        && ((Map<String, Object>) s).containsKey("bearerAuth"));
    }

    /** The operation without the keys allowed to differ, prose stripped at every depth. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> shape(Map<String, Object> op) {
        Map<String, Object> copy = (Map<String, Object>) stripProse(op);
        SURFACE_ONLY.forEach(copy::remove);
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object stripProse(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> {
                if (!PROSE.contains(k)) {
                    copy.put(k, stripProse(v));
                }
            });
            return copy;
        }
        if (node instanceof List<?> list) {
            return new ArrayList<>(list.stream().map(PublicCoreParityTest::stripProse).toList());
        }
        return node;
    }

    /** Adds one line per difference, naming where it is, so a failure says what to align. */
    private static void compare(String where, String at, Object base, Object core, List<String> drift) {
        if (base instanceof Map<?, ?> b && core instanceof Map<?, ?> c) {
            Set<Object> keys = new java.util.LinkedHashSet<>(b.keySet());
            keys.addAll(c.keySet());
            for (Object k : keys) {
                String child = at + "/" + k;
                if (!b.containsKey(k)) {
                    drift.add(where + ": only the Public Core operation has " + child);
                } else if (!c.containsKey(k)) {
                    drift.add(where + ": only the base operation has " + child);
                } else {
                    compare(where, child, b.get(k), c.get(k), drift);
                }
            }
        } else if (base instanceof List<?> b && core instanceof List<?> c && b.size() == c.size()) {
            for (int i = 0; i < b.size(); i++) {
                compare(where, at + "/" + i, b.get(i), c.get(i), drift);
            }
        } else if (!java.util.Objects.equals(base, core)) {
            drift.add(where + ": " + at + " is " + core + " but the base operation has " + base);
        }
    }
}
