package io.audiences.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.swagger.v3.oas.models.media.Schema;

/**
 * Mutations of a valid JSON value that each break exactly one constraint its (fully resolved) schema declares,
 * with the JSON pointer of the violation: required property missing, wrong JSON type, format, enum,
 * minLength/maxLength, minimum/maximum, pattern, minItems/maxItems, minProperties and unknown properties where
 * {@code additionalProperties} is false; nested objects and array items included, and absent optional
 * properties set to bad values too.
 */
final class SchemaViolations {

    /** One mutated body. */
    record Violation(String what, String pointer, Object body) { }

    private static final Object REMOVE = new Object();

    private SchemaViolations() {
    }

    static List<Violation> of(Object body, Schema<?> schema) {
        List<Violation> result = new ArrayList<>();
        walk(body, new ArrayList<>(), body, schema, result, 0);
        return result;
    }

    private static void walk(Object root, List<Object> path, Object value, Schema<?> schema, List<Violation> out, int depth) {
        String pointer = pointer(path);
        for (Map.Entry<String, Object> bad : badValues(schema).entrySet()) {
            out.add(new Violation(bad.getKey() + " at " + pointer, pointer, with(root, path, bad.getValue())));
        }
        String type = SchemaValues.type(schema);
        if ("object".equals(type) && value instanceof Map<?, ?> map) {
            Map<String, Schema> properties = schema.getProperties() == null ? Map.of() : schema.getProperties();
            List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
            for (String name : required) {
                if (map.containsKey(name)) {
                    List<Object> at = append(path, name);
                    out.add(new Violation("missing required " + pointer(at), pointer(at), with(root, at, REMOVE)));
                }
            }
            if (Boolean.FALSE.equals(schema.getAdditionalProperties())) {
                List<Object> at = append(path, "unexpected_property");
                out.add(new Violation("unknown property " + pointer(at), pointer(at), with(root, at, 1)));
            }
            if (schema.getMinProperties() != null && schema.getMinProperties() > 0) {
                out.add(new Violation("fewer than minProperties at " + pointer, pointer.isEmpty() ? "/" : pointer,
                        with(root, path, new LinkedHashMap<>())));
            }
            for (Map.Entry<String, Schema> property : properties.entrySet()) {
                List<Object> at = append(path, property.getKey());
                if (map.containsKey(property.getKey())) {
                    if (depth < 6) {
                        walk(root, at, map.get(property.getKey()), property.getValue(), out, depth + 1);
                    }
                } else {
                    // An absent optional property, sent with a bad value.
                    for (Map.Entry<String, Object> bad : badValues(property.getValue()).entrySet()) {
                        out.add(new Violation(bad.getKey() + " at absent " + pointer(at), pointer(at), with(root, at, bad.getValue())));
                    }
                }
            }
        } else if ("array".equals(type) && value instanceof List<?> list) {
            if (schema.getMinItems() != null && schema.getMinItems() > 0) {
                out.add(new Violation("fewer than minItems at " + pointer, pointer,
                        with(root, path, new ArrayList<>(list.subList(0, Math.min(list.size(), schema.getMinItems() - 1))))));
            }
            if (schema.getMaxItems() != null && !list.isEmpty()) {
                List<Object> longer = new ArrayList<>();
                while (longer.size() <= schema.getMaxItems()) {
                    longer.add(list.get(longer.size() % list.size()));
                }
                out.add(new Violation("more than maxItems at " + pointer, pointer, with(root, path, longer)));
            }
            // Items: the first and the last (nested groups sit anywhere).
            for (int i : list.size() > 1 ? new int[] {0, list.size() - 1} : list.isEmpty() ? new int[0] : new int[] {0}) {
                if (depth < 6) {
                    walk(root, append(path, i), list.get(i), schema.getItems(), out, depth + 1);
                }
            }
        }
    }

    /** Replacement values that break one constraint of {@code schema} each (type, enum, format, length, range, pattern). */
    static Map<String, Object> badValues(Schema<?> schema) {
        Map<String, Object> bad = new LinkedHashMap<>();
        String type = SchemaValues.type(schema);
        switch (type) {
            case "string" -> {
                bad.put("number instead of string", 12345);
                bad.put("null", null);
                if (schema.getEnum() != null) {
                    bad.put("unknown enum value", "no-such-value");
                    bad.put("enum value in another case", String.valueOf(schema.getEnum().getFirst()).toUpperCase(java.util.Locale.ROOT)
                            .equals(String.valueOf(schema.getEnum().getFirst()))
                            ? String.valueOf(schema.getEnum().getFirst()).toLowerCase(java.util.Locale.ROOT)
                            : String.valueOf(schema.getEnum().getFirst()).toUpperCase(java.util.Locale.ROOT));
                }
                if (schema.getMinLength() != null && schema.getMinLength() > 0) {
                    bad.put("shorter than minLength " + schema.getMinLength(), "x".repeat(schema.getMinLength() - 1));
                }
                if (schema.getMaxLength() != null) {
                    bad.put("longer than maxLength " + schema.getMaxLength(), "x".repeat(schema.getMaxLength() + 1));
                }
                String format = schema.getFormat() == null ? "" : schema.getFormat();
                if (format.isEmpty() && schema.getEnum() == null && schema.getPattern() == null) {
                    // Not a schema constraint but a documented server rule (HttpIo): PostgreSQL cannot store U+0000.
                    bad.put("U+0000 in a string", "a\u0000b");
                }
                switch (format) {
                    case "uuid" -> {
                        bad.put("not a uuid", "not-a-uuid");
                        bad.put("uuid without dashes", "0f8e3c1a5b2d4c7e9a413d2b1c0e9f11");
                    }
                    case "email" -> {
                        bad.put("not an email", "not-an-email");
                        bad.put("email without domain", "user@");
                    }
                    case "date" -> bad.put("not a date", "2026-13-45");
                    case "date-time" -> bad.put("not a date-time", "yesterday at noon");
                    default -> { }
                }
                if (schema.getPattern() != null) {
                    Pattern p = Pattern.compile(schema.getPattern());
                    for (String candidate : List.of("!bad value!", "-", " ")) {
                        if (!p.matcher(candidate).find()) {
                            bad.put("not matching pattern", candidate);
                            break;
                        }
                    }
                }
            }
            case "integer" -> {
                bad.put("string instead of integer", "one");
                bad.put("fraction instead of integer", 1.5);
                bad.put("null", null);
                if (schema.getMinimum() != null) {
                    bad.put("below minimum " + schema.getMinimum(), schema.getMinimum().longValue() - 1);
                }
                if (schema.getMaximum() != null) {
                    bad.put("above maximum " + schema.getMaximum(), schema.getMaximum().longValue() + 1);
                }
            }
            case "number" -> {
                bad.put("string instead of number", "one");
                if (schema.getMinimum() != null) {
                    bad.put("below minimum", schema.getMinimum().subtract(java.math.BigDecimal.ONE));
                }
                if (schema.getMaximum() != null) {
                    bad.put("above maximum", schema.getMaximum().add(java.math.BigDecimal.ONE));
                }
            }
            case "boolean" -> {
                bad.put("string instead of boolean", "yes");
                bad.put("number instead of boolean", 1);
            }
            case "array" -> {
                bad.put("string instead of array", "not-an-array");
                bad.put("object instead of array", Map.of());
            }
            case "object" -> {
                bad.put("string instead of object", "not-an-object");
                bad.put("array instead of object", List.of());
            }
            default -> { } // no type: any value is valid
        }
        if (Boolean.TRUE.equals(schema.getNullable())) {
            bad.remove("null");
        }
        return bad;
    }

    /** Bad values of a query, header or path parameter, as sent on the wire. */
    static List<String> badParameterValues(Schema<?> schema, boolean inQuery) {
        List<String> bad = new ArrayList<>();
        String type = SchemaValues.type(schema);
        switch (type) {
            case "integer" -> {
                bad.add("ten");
                bad.add("1.5");
                if (schema.getMinimum() != null) {
                    bad.add(Long.toString(schema.getMinimum().longValue() - 1));
                }
                if (schema.getMaximum() != null) {
                    bad.add(Long.toString(schema.getMaximum().longValue() + 1));
                } else if ("int32".equals(schema.getFormat())) {
                    bad.add(Long.toString(Integer.MAX_VALUE + 1L));
                } else {
                    bad.add("9223372036854775808");
                }
            }
            case "boolean" -> bad.add("maybe");
            case "string" -> {
                if (schema.getEnum() != null) {
                    bad.add("no-such-value");
                }
                if ("uuid".equals(schema.getFormat())) {
                    bad.add("not-a-uuid");
                    bad.add("0f8e3c1a5b2d4c7e9a413d2b1c0e9f11");
                }
                if (schema.getMaxLength() != null) {
                    bad.add("x".repeat(schema.getMaxLength() + 1));
                }
                if (inQuery && schema.getEnum() == null && schema.getFormat() == null) {
                    bad.add("a\u0000b"); // server rule, see badValues
                }
                if (schema.getPattern() != null) {
                    Pattern p = Pattern.compile(schema.getPattern());
                    for (String candidate : List.of("-leading-dash", "_x", "a:b")) {
                        if (!p.matcher(candidate).find()) {
                            bad.add(candidate);
                            break;
                        }
                    }
                }
            }
            default -> { }
        }
        return bad;
    }

    private static List<Object> append(List<Object> path, Object step) {
        List<Object> result = new ArrayList<>(path);
        result.add(step);
        return result;
    }

    static String pointer(List<Object> path) {
        StringBuilder sb = new StringBuilder();
        for (Object step : path) {
            sb.append('/').append(String.valueOf(step).replace("~", "~0").replace("/", "~1"));
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** A deep copy of {@code root} with the value at {@code path} replaced (or removed). */
    @SuppressWarnings("unchecked")
    private static Object with(Object root, List<Object> path, Object value) {
        if (path.isEmpty()) {
            return value == REMOVE ? null : value;
        }
        Object copy = deepCopy(root);
        Object parent = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            parent = step instanceof Integer index ? ((List<Object>) parent).get(index) : ((Map<String, Object>) parent).get(step);
        }
        Object last = path.getLast();
        if (last instanceof Integer index) {
            ((List<Object>) parent).set(index, value);
        } else if (value == REMOVE) {
            ((Map<String, Object>) parent).remove(last);
        } else {
            ((Map<String, Object>) parent).put((String) last, value);
        }
        return copy;
    }

    private static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return value;
    }
}
