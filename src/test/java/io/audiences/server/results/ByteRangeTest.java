package io.audiences.server.results;

import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The {@code Range} header parser: one byte range is honoured, anything else means the whole representation. */
class ByteRangeTest {

    @Test
    void aClosedRange() {
        assertThat(parse("bytes=0-499"), is(Optional.of(new ByteRange(0, OptionalLong.of(499)))));
    }

    @Test
    void anOpenEndedRange() {
        assertThat(parse("bytes=1000-"), is(Optional.of(new ByteRange(1000, OptionalLong.empty()))));
    }

    @Test
    void aOneByteRangeAndSurroundingWhitespace() {
        assertThat(parse("  bytes=7-7 "), is(Optional.of(new ByteRange(7, OptionalLong.of(7)))));
    }

    @Test
    void eighteenDigitsAreTheLargestOffset() {
        assertThat(parse("bytes=999999999999999999-"),
                is(Optional.of(new ByteRange(999_999_999_999_999_999L, OptionalLong.empty()))));
        assertThat(parse("bytes=1234567890123456789-"), is(Optional.empty()));
    }

    @Test
    void noHeaderMeansNoRange() {
        assertThat(ByteRange.parse(Optional.empty()), is(Optional.empty()));
    }

    /** Ignored as RFC 9110 allows: the whole representation is sent with 200. */
    @ParameterizedTest
    @ValueSource(strings = {"", "bytes=", "bytes=-500", "bytes=500-499", "bytes=0-1,5-9", "bytes=a-b", "items=0-9",
        "Bytes=0-9", "bytes = 0-9", "bytes=+1-2", "bytes=-1-2"})
    void anythingButOneOrderedRangeIsIgnored(String header) {
        assertThat(parse(header), is(Optional.empty()));
    }

    private static Optional<ByteRange> parse(String header) {
        return ByteRange.parse(Optional.of(header));
    }
}
