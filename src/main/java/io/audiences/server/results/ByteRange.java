package io.audiences.server.results;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single byte range of a {@code Range} header. Anything else (several ranges, suffix ranges, bad
 * syntax) is ignored as RFC 9110 allows, and the whole representation is sent.
 */
record ByteRange(long start, OptionalLong end) {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");

    static Optional<ByteRange> parse(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.get().trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long start = Long.parseLong(m.group(1));
        OptionalLong end = m.group(2).isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(m.group(2)));
        if (end.isPresent() && end.getAsLong() < start) {
            return Optional.empty();
        }
        return Optional.of(new ByteRange(start, end));
    }
}
