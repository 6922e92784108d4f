package io.audiences.contract;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import io.swagger.v3.oas.models.media.Schema;

/**
 * Generators ({@link Gen}) of values that satisfy a (fully resolved) OpenAPI 3.0 schema: strings within
 * minLength/maxLength honouring pattern, format (email, uuid, date, date-time) and enum; integers and numbers
 * within minimum/maximum; booleans; arrays within minItems/maxItems; objects with every required property,
 * optional ones sometimes, minProperties and additionalProperties respected.
 *
 * <p>Where the server checks more than the schema, the caller supplies an override, looked up by
 * {@code "<operationId>.<property>"} first and by {@code "<property>"} second. Overrides replace the generic
 * generator of that property wherever it appears (nested objects included).
 */
final class SchemaValues {

    /** Objects nested deeper than this get only their required properties (the schemas are recursive). */
    private static final int MAX_DEPTH = 4;

    /** Letters for free-form values where the schema says nothing (untyped values). */
    private static final String ALPHA = Gen.alphabet(Gen.range('a', 'z'), Gen.range('A', 'Z'));

    private static final Map<String, Gen<?>> NO_OVERRIDES = Map.of();

    private final Map<String, Gen<?>> overrides;
    private final AtomicLong unique = new AtomicLong();

    SchemaValues(Map<String, Gen<?>> overrides) {
        this.overrides = overrides == null ? NO_OVERRIDES : overrides;
    }

    /** A valid value of the property {@code name} (null for a top-level body) of operation {@code op}. */
    @SuppressWarnings("unchecked")
    Gen<Object> valid(String op, String name, Schema<?> schema, int depth) {
        if (name != null) {
            Gen<?> override = overrides.get(op + "." + name);
            if (override == null) {
                override = overrides.get(name);
            }
            if (override != null) {
                return (Gen<Object>) override;
            }
        }
        return generic(op, schema, depth);
    }

    private Gen<Object> generic(String op, Schema<?> schema, int depth) {
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
            return Gen.elements(new ArrayList<Object>(schema.getEnum().stream().map(SchemaValues::plain).toList()));
        }
        return switch (type(schema)) {
            case "string" -> strings(schema).map(s -> (Object) s);
            case "integer" -> integers(schema).map(v -> (Object) v);
            case "number" -> numbers(schema).map(v -> (Object) v);
            case "boolean" -> Gen.elements(true, false).map(v -> (Object) v);
            case "array" -> arrays(op, schema, depth);
            case "object" -> objects(op, schema, depth);
            // No type (ConditionRules.value): any JSON value.
            default -> Gen.<Object>oneOf(Gen.strings(ALPHA, 1, 10), Gen.ints(Integer.MIN_VALUE, Integer.MAX_VALUE),
                    Gen.elements(true, false), Gen.strings(ALPHA, 1, 10).list(0, 3));
        };
    }

    private static Object plain(Object enumValue) {
        return enumValue instanceof Enum<?> e ? e.toString() : enumValue;
    }

    static String type(Schema<?> schema) {
        if (schema.getType() != null) {
            return schema.getType();
        }
        if (schema.getProperties() != null) {
            return "object";
        }
        if (schema.getItems() != null) {
            return "array";
        }
        return "any";
    }

    /** Strings honouring format, pattern and length. */
    Gen<String> strings(Schema<?> schema) {
        int min = schema.getMinLength() == null ? 0 : schema.getMinLength();
        int max = schema.getMaxLength() == null ? Math.max(min, 60) : schema.getMaxLength();
        String format = schema.getFormat() == null ? "" : schema.getFormat();
        Gen<String> base = switch (format) {
            case "uuid" -> uuids();
            case "email" -> emails();
            case "date" -> Gen.longs(0, 365L * 200).map(d -> LocalDate.of(1900, 1, 1).plusDays(d).toString());
            case "date-time" -> Gen.longs(0, 4_000_000_000L)
                    .map(s -> Instant.ofEpochSecond(s).atOffset(ZoneOffset.ofHours((int) (s % 13))).truncatedTo(ChronoUnit.SECONDS)
                            .toString());
            default -> {
                if (schema.getPattern() != null) {
                    // No regex generator: strings over the pattern's likely alphabet, kept if they match.
                    Pattern pattern = Pattern.compile(schema.getPattern());
                    yield Gen.strings(Gen.alphabet(Gen.range('a', 'z'), Gen.range('A', 'Z'), Gen.range('0', '9'), "._-"),
                                    Math.max(min, 1), Math.min(max, 40))
                            .filter(s -> pattern.matcher(s).find());
                }
                yield text(min, max);
            }
        };
        if (!format.isEmpty()) {
            base = base.filter(s -> s.length() >= min && s.length() <= max);
        }
        return base;
    }

    /**
     * Text from several scripts, control characters and whitespace included: names and descriptions are
     * stored as given. No surrogates (a lone one is not valid UTF-8) and no U+0000, which the server refuses
     * (PostgreSQL cannot store it; SchemaViolations sends it as a negative case).
     */
    static Gen<String> text(int minLength, int maxLength) {
        return Gen.strings(TEXT, minLength, maxLength);
    }

    private static final String TEXT = Gen.alphabet(Gen.range('\u0001', '~'), Gen.range('\u00a0', '\u024f'),
            Gen.range('\u0391', '\u03c9'), Gen.range('\u4e00', '\u4e80'), "\t\n\u2028\u00e9\u20ac");

    static Gen<String> uuids() {
        return r -> new UUID(r.nextLong(), r.nextLong()).toString();
    }

    /** Syntactically plain addresses, each with a running number so that no two are equal (emails are unique). */
    Gen<String> emails() {
        Gen<String> local = Gen.strings(Gen.alphabet(Gen.range('a', 'z'), Gen.range('0', '9'), "._+-"), 1, 20)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0)) && Character.isLetterOrDigit(s.charAt(s.length() - 1))
                        && !s.contains(".."));
        Gen<String> label = Gen.strings(Gen.alphabet(Gen.range('a', 'z'), Gen.range('0', '9')), 1, 12);
        Gen<String> domain = label.list(1, 3).map(l -> String.join(".", l));
        // Top-level domains from IANA's list: the server's email format check (networknt) rejects others,
        // reserved ones such as .example included.
        Gen<String> tld = Gen.elements("com", "org", "io", "net", "de");
        return r -> local.next(r) + "." + unique.incrementAndGet() + "@" + domain.next(r) + "." + tld.next(r);
    }

    private static Gen<Long> integers(Schema<?> schema) {
        boolean int32 = "int32".equals(schema.getFormat());
        long min = schema.getMinimum() != null ? schema.getMinimum().longValue() : int32 ? Integer.MIN_VALUE : -1_000_000_000_000L;
        long max = schema.getMaximum() != null ? schema.getMaximum().longValue() : int32 ? Integer.MAX_VALUE : 1_000_000_000_000L;
        if (Boolean.TRUE.equals(schema.getExclusiveMinimum())) {
            min++;
        }
        if (Boolean.TRUE.equals(schema.getExclusiveMaximum())) {
            max--;
        }
        return Gen.longs(min, max);
    }

    private static Gen<BigDecimal> numbers(Schema<?> schema) {
        BigDecimal min = schema.getMinimum() != null ? schema.getMinimum() : BigDecimal.valueOf(-1e9);
        BigDecimal max = schema.getMaximum() != null ? schema.getMaximum() : BigDecimal.valueOf(1e9);
        return Gen.decimals(min, max, 3);
    }

    private Gen<Object> arrays(String op, Schema<?> schema, int depth) {
        int min = schema.getMinItems() == null ? 0 : schema.getMinItems();
        int max = schema.getMaxItems() == null ? min + 4 : Math.min(schema.getMaxItems(), min + 4);
        if (depth >= MAX_DEPTH) {
            max = min;
        }
        return valid(op, null, schema.getItems(), depth + 1).list(min, max).map(l -> (Object) l);
    }

    private Gen<Object> objects(String op, Schema<?> schema, int depth) {
        Map<String, Schema> properties = schema.getProperties() == null ? Map.of() : schema.getProperties();
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        Map<String, Gen<Object>> values = new LinkedHashMap<>();
        properties.forEach((name, s) -> values.put(name, valid(op, name, s, depth + 1)));
        int minProperties = schema.getMinProperties() == null ? 0 : schema.getMinProperties();
        Object additional = schema.getAdditionalProperties();
        return random -> {
            Map<String, Object> result = new LinkedHashMap<>();
            List<String> optional = new ArrayList<>();
            for (String name : properties.keySet()) {
                if (required.contains(name)) {
                    result.put(name, values.get(name).next(random));
                } else if (depth < MAX_DEPTH && random.nextBoolean()) {
                    result.put(name, values.get(name).next(random));
                } else {
                    optional.add(name);
                }
            }
            while (result.size() < minProperties && !optional.isEmpty()) {
                String name = optional.remove(random.nextInt(optional.size()));
                result.put(name, values.get(name).next(random));
            }
            // additionalProperties absent means allowed in OpenAPI 3.0, but no request schema of this contract
            // leaves it open; extra properties are only added where a schema for them is declared.
            if (additional instanceof Schema<?> extra && depth < MAX_DEPTH) {
                int n = random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    result.put("extra_" + i, generic(op, extra, depth + 1).next(random));
                }
            }
            return result;
        };
    }
}
