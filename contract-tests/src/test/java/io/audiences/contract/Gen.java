package io.audiences.contract;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A generator of random values. The combinators here draw from the {@link RandomGenerator} they are given and
 * nothing else, so the same seed gives the same values. Only the few that {@link SchemaValues} and
 * {@link GeneratedRequestsTest} need; no shrinking, no generation size, no state of their own.
 *
 * <p>Numbers and lengths hit their bounds more often than a uniform draw would (see {@link #EDGE_ONE_IN}):
 * off-by-one errors live there.
 */
@FunctionalInterface
interface Gen<T> {

    /** About one draw in this many of a range (number, string length, list size) is one of its bounds. */
    int EDGE_ONE_IN = 8;
    /** Draws a {@link #filter} may reject in a row before it gives up. */
    int MAX_FILTER_MISSES = 10_000;

    T next(RandomGenerator random);

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return random -> f.apply(next(random));
    }

    /** Values that satisfy {@code keep}, drawing again until one does. */
    default Gen<T> filter(Predicate<? super T> keep) {
        return random -> {
            for (int i = 0; i < MAX_FILTER_MISSES; i++) {
                T value = next(random);
                if (keep.test(value)) {
                    return value;
                }
            }
            throw new IllegalStateException("No value kept by the filter in " + MAX_FILTER_MISSES + " draws");
        };
    }

    /** Lists of {@code min} to {@code max} values of this generator. */
    default Gen<List<T>> list(int min, int max) {
        Gen<Integer> sizes = ints(min, max);
        return random -> {
            int size = sizes.next(random);
            List<T> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(next(random));
            }
            return list;
        };
    }

    static <T> Gen<T> constant(T value) {
        return random -> value;
    }

    /** One of the given values, each equally likely. */
    @SafeVarargs
    static <T> Gen<T> elements(T... values) {
        return elements(List.of(values));
    }

    /** One of the given values, each equally likely. */
    static <T> Gen<T> elements(List<? extends T> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("No values to choose from");
        }
        List<? extends T> copy = List.copyOf(values);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /** A value of one of the given generators, each equally likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> copy = List.of(gens);
        return random -> copy.get(random.nextInt(copy.size())).next(random);
    }

    /** {@code min} to {@code max}, both included; the bounds (and 0 where in range) more often than the rest. */
    static Gen<Long> longs(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("Empty range " + min + ".." + max);
        }
        List<Long> edges = min <= 0 && 0 <= max ? List.of(min, max, 0L) : List.of(min, max);
        return random -> {
            if (random.nextInt(EDGE_ONE_IN) == 0) {
                return edges.get(random.nextInt(edges.size()));
            }
            // nextLong(a, b) excludes b; max + 1 overflows only at Long.MAX_VALUE, which no schema here reaches.
            return max == Long.MAX_VALUE ? random.nextLong(min, max) : random.nextLong(min, max + 1);
        };
    }

    /** {@code min} to {@code max}, both included; the bounds (and 0 where in range) more often than the rest. */
    static Gen<Integer> ints(int min, int max) {
        return longs(min, max).map(Long::intValue);
    }

    /** Decimals with exactly {@code scale} digits after the point, from {@code min} to {@code max} included. */
    static Gen<BigDecimal> decimals(BigDecimal min, BigDecimal max, int scale) {
        long low = min.setScale(scale, RoundingMode.CEILING).unscaledValue().longValueExact();
        long high = max.setScale(scale, RoundingMode.FLOOR).unscaledValue().longValueExact();
        return longs(low, high).map(unscaled -> BigDecimal.valueOf(unscaled, scale));
    }

    /** Strings of {@code min} to {@code max} characters, each one of {@code alphabet}'s, equally likely. */
    static Gen<String> strings(String alphabet, int min, int max) {
        if (alphabet.isEmpty()) {
            throw new IllegalArgumentException("Empty alphabet");
        }
        Gen<Integer> lengths = ints(min, max);
        return random -> {
            int length = lengths.next(random);
            StringBuilder sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return sb.toString();
        };
    }

    /** The characters from {@code first} to {@code last}, both included, for {@link #alphabet}. */
    static String range(char first, char last) {
        StringBuilder sb = new StringBuilder();
        for (char c = first; c <= last; c++) {
            sb.append(c);
        }
        return sb.toString();
    }

    /** An alphabet for {@link #strings}: the characters of every part, each once. */
    static String alphabet(String... parts) {
        return String.join("", parts).chars().distinct()
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
