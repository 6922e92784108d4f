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
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.swagger.v3.oas.models.media.Schema;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.arbitraries.StringArbitrary;

/**
 * jqwik {@link Arbitrary}s of values that satisfy a (fully resolved) OpenAPI 3.0 schema: strings within
 * minLength/maxLength honouring pattern, format (email, uuid, date, date-time) and enum; integers and numbers
 * within minimum/maximum; booleans; arrays within minItems/maxItems; objects with every required property,
 * optional ones sometimes, minProperties and additionalProperties respected.
 *
 * <p>Where the server checks more than the schema, the caller supplies an override, looked up by
 * {@code "<operationId>.<property>"} first and by {@code "<property>"} second. Overrides replace the generic
 * arbitrary of that property wherever it appears (nested objects included).
 */
final class SchemaArbitraries {

    /** jqwik's generation size: bounds the length of generated strings and lists where the schema does not. */
    static final int GEN_SIZE = 100;
    /** Objects nested deeper than this get only their required properties (the schemas are recursive). */
    private static final int MAX_DEPTH = 4;

    private static final Map<String, Arbitrary<?>> NO_OVERRIDES = Map.of();

    private final Map<String, Arbitrary<?>> overrides;
    private final Map<Arbitrary<?>, RandomGenerator<?>> generators = new java.util.IdentityHashMap<>();
    private final AtomicLong unique = new AtomicLong();

    SchemaArbitraries(Map<String, Arbitrary<?>> overrides) {
        this.overrides = overrides == null ? NO_OVERRIDES : overrides;
    }

    /** Draws one value of {@code arbitrary} from {@code random} (edge cases such as the bounds included). */
    @SuppressWarnings("unchecked")
    <T> T draw(Arbitrary<T> arbitrary, Random random) {
        RandomGenerator<T> generator = (RandomGenerator<T>) generators.computeIfAbsent(arbitrary,
                a -> a.generatorWithEmbeddedEdgeCases(GEN_SIZE));
        return generator.next(random).value();
    }

    /** A valid value of the property {@code name} (null for a top-level body) of operation {@code op}. */
    @SuppressWarnings("unchecked")
    Arbitrary<Object> valid(String op, String name, Schema<?> schema, int depth) {
        if (name != null) {
            Arbitrary<?> override = overrides.get(op + "." + name);
            if (override == null) {
                override = overrides.get(name);
            }
            if (override != null) {
                return (Arbitrary<Object>) override;
            }
        }
        return generic(op, schema, depth);
    }

    private Arbitrary<Object> generic(String op, Schema<?> schema, int depth) {
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
            return Arbitraries.of(new ArrayList<Object>(schema.getEnum().stream().map(SchemaArbitraries::plain).toList()));
        }
        return switch (type(schema)) {
            case "string" -> strings(schema).map(s -> (Object) s);
            case "integer" -> integers(schema).map(v -> (Object) v);
            case "number" -> numbers(schema).map(v -> (Object) v);
            case "boolean" -> Arbitraries.of(true, false).map(v -> (Object) v);
            case "array" -> arrays(op, schema, depth);
            case "object" -> objects(op, schema, depth);
            // No type (ConditionRules.value): any JSON value.
            default -> Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10),
                    Arbitraries.integers(), Arbitraries.of(true, false),
                    Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).list().ofMaxSize(3)).map(v -> (Object) v);
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
    Arbitrary<String> strings(Schema<?> schema) {
        int min = schema.getMinLength() == null ? 0 : schema.getMinLength();
        int max = schema.getMaxLength() == null ? Math.max(min, 60) : schema.getMaxLength();
        String format = schema.getFormat() == null ? "" : schema.getFormat();
        Arbitrary<String> base = switch (format) {
            case "uuid" -> uuids();
            case "email" -> emails();
            case "date" -> Arbitraries.longs().between(0, 365L * 200).map(d -> LocalDate.of(1900, 1, 1).plusDays(d).toString());
            case "date-time" -> Arbitraries.longs().between(0, 4_000_000_000L)
                    .map(s -> Instant.ofEpochSecond(s).atOffset(ZoneOffset.ofHours((int) (s % 13))).truncatedTo(ChronoUnit.SECONDS)
                            .toString());
            default -> {
                if (schema.getPattern() != null) {
                    // No regex generator in jqwik: strings over the pattern's likely alphabet, kept if they match.
                    Pattern pattern = Pattern.compile(schema.getPattern());
                    yield Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                            .withChars("._-").ofMinLength(Math.max(min, 1)).ofMaxLength(Math.min(max, 40))
                            .filter(s -> pattern.matcher(s).find());
                }
                yield text().ofMinLength(min).ofMaxLength(max);
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
    static StringArbitrary text() {
        return Arbitraries.strings().withCharRange('\u0001', '~').withCharRange('\u00a0', '\u024f')
                .withCharRange('\u0391', '\u03c9').withCharRange('\u4e00', '\u4e80').withChars("\t\n\u2028\u00e9\u20ac");
    }

    static Arbitrary<String> uuids() {
        return Arbitraries.randomValue(r -> new UUID(r.nextLong(), r.nextLong()).toString());
    }

    /** Syntactically plain addresses, each with a running number so that no two are equal (emails are unique). */
    Arbitrary<String> emails() {
        Arbitrary<String> local = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars("._+-")
                .ofMinLength(1).ofMaxLength(20)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0)) && Character.isLetterOrDigit(s.charAt(s.length() - 1))
                        && !s.contains(".."));
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> domain = label.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l));
        // Top-level domains from IANA's list: the server's email format check (networknt) rejects others,
        // reserved ones such as .example included.
        Arbitrary<String> tld = Arbitraries.of("com", "org", "io", "net", "de");
        return net.jqwik.api.Combinators.combine(local, domain, tld)
                .as((l, d, t) -> l + "." + unique.incrementAndGet() + "@" + d + "." + t);
    }

    private static Arbitrary<Long> integers(Schema<?> schema) {
        boolean int32 = "int32".equals(schema.getFormat());
        long min = schema.getMinimum() != null ? schema.getMinimum().longValue() : int32 ? Integer.MIN_VALUE : -1_000_000_000_000L;
        long max = schema.getMaximum() != null ? schema.getMaximum().longValue() : int32 ? Integer.MAX_VALUE : 1_000_000_000_000L;
        if (Boolean.TRUE.equals(schema.getExclusiveMinimum())) {
            min++;
        }
        if (Boolean.TRUE.equals(schema.getExclusiveMaximum())) {
            max--;
        }
        return Arbitraries.longs().between(min, max);
    }

    private static Arbitrary<BigDecimal> numbers(Schema<?> schema) {
        BigDecimal min = schema.getMinimum() != null ? schema.getMinimum() : BigDecimal.valueOf(-1e9);
        BigDecimal max = schema.getMaximum() != null ? schema.getMaximum() : BigDecimal.valueOf(1e9);
        return Arbitraries.bigDecimals().between(min, max).ofScale(3);
    }

    private Arbitrary<Object> arrays(String op, Schema<?> schema, int depth) {
        int min = schema.getMinItems() == null ? 0 : schema.getMinItems();
        int max = schema.getMaxItems() == null ? min + 4 : Math.min(schema.getMaxItems(), min + 4);
        if (depth >= MAX_DEPTH) {
            max = min;
        }
        Arbitrary<Object> items = valid(op, null, schema.getItems(), depth + 1);
        return items.list().ofMinSize(min).ofMaxSize(max).map(l -> (Object) l);
    }

    private Arbitrary<Object> objects(String op, Schema<?> schema, int depth) {
        Map<String, Schema> properties = schema.getProperties() == null ? Map.of() : schema.getProperties();
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        Map<String, Arbitrary<Object>> values = new LinkedHashMap<>();
        properties.forEach((name, s) -> values.put(name, valid(op, name, s, depth + 1)));
        int minProperties = schema.getMinProperties() == null ? 0 : schema.getMinProperties();
        Object additional = schema.getAdditionalProperties();
        Function<Random, Object> generate = random -> {
            Map<String, Object> result = new LinkedHashMap<>();
            List<String> optional = new ArrayList<>();
            for (String name : properties.keySet()) {
                if (required.contains(name)) {
                    result.put(name, draw(values.get(name), random));
                } else if (depth < MAX_DEPTH && random.nextBoolean()) {
                    result.put(name, draw(values.get(name), random));
                } else {
                    optional.add(name);
                }
            }
            while (result.size() < minProperties && !optional.isEmpty()) {
                String name = optional.remove(random.nextInt(optional.size()));
                result.put(name, draw(values.get(name), random));
            }
            // additionalProperties absent means allowed in OpenAPI 3.0, but no request schema of this contract
            // leaves it open; extra properties are only added where a schema for them is declared.
            if (additional instanceof Schema<?> extra && depth < MAX_DEPTH) {
                int n = random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    result.put("extra_" + i, draw(generic(op, extra, depth + 1), random));
                }
            }
            return result;
        };
        return Arbitraries.randomValue(generate);
    }
}
