package io.audiences.server.platform;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One page of a keyset-paginated list. Cursors are opaque to clients (base64url of the last row's
 * sequence number), so the order stays stable while rows are inserted.
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {

    private static final String PREFIX = "s:";

    /** Builds a page from up to {@code limit + 1} fetched rows. */
    public static <T> Page<T> of(List<T> fetched, int limit, ToLongFunction<T> seq) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, Optional.empty());
        }
        List<T> items = fetched.subList(0, limit);
        return new Page<>(List.copyOf(items), Optional.of(encode(seq.applyAsLong(items.getLast()))));
    }

    /**
     * Builds a page of a list in another order than the sequence: the cursor carries what {@code position} says
     * about the last item (its sort key and sequence), marked with the order's {@code kind} so a cursor of one order
     * is refused by another.
     */
    public static <T> Page<T> ofPositions(List<T> fetched, int limit, String kind, Function<T, String> position) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, Optional.empty());
        }
        List<T> items = fetched.subList(0, limit);
        return new Page<>(List.copyOf(items), Optional.of(Base64.getUrlEncoder().withoutPadding()
                .encodeToString((kind + ":" + position.apply(items.getLast())).getBytes(StandardCharsets.UTF_8))));
    }

    /** The position a cursor of {@link #ofPositions} carries; empty without a cursor. */
    public static Optional<String> position(Optional<String> cursor, String kind) {
        if (cursor.isEmpty()) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
            if (decoded.startsWith(kind + ":")) {
                return Optional.of(decoded.substring(kind.length() + 1));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw invalidCursor();
    }

    private static DomainException invalidCursor() {
        return DomainException.invalid(ErrorCode.INVALID_PARAMETER, "cursor",
                "cursor is not a cursor returned by this API for this order.");
    }

    /** The same page with each item mapped. */
    public <R> Page<R> map(Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), nextCursor);
    }

    public static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** The sequence number after which the next page starts; 0 without a cursor. */
    public static long after(Optional<String> cursor) {
        if (cursor.isEmpty()) {
            return 0;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
            if (!decoded.startsWith(PREFIX)) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(decoded.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw invalidCursor();
        }
    }
}
