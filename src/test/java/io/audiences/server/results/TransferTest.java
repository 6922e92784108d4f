package io.audiences.server.results;

import java.util.Optional;
import java.util.OptionalLong;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The download's range negotiation: which range a request gets, and which bytes of a rendering that range is. */
class TransferTest {

    private static final String ETAG = "\"a1-b2-l0-csv\"";

    private static Transfer.Conditions get(String range, String ifRange) {
        return new Transfer.Conditions(false, Optional.ofNullable(range), Optional.ofNullable(ifRange), true);
    }

    @Test
    void aRangeWithoutIfRangeIsHonoured() {
        assertThat(Transfer.ranged(ETAG, get("bytes=10-", null)), is(Optional.of(new ByteRange(10, OptionalLong.empty()))));
    }

    @Test
    void aRangeWhoseIfRangeNamesTheRenderingIsHonoured() {
        assertThat(Transfer.ranged(ETAG, get("bytes=0-9", ETAG)), is(Optional.of(new ByteRange(0, OptionalLong.of(9)))));
    }

    @Test
    void aRangeWhoseIfRangeNamesAnotherRenderingGetsTheWholeRendering() {
        assertThat(Transfer.ranged(ETAG, get("bytes=0-9", "\"a1-b1-l0-csv\"")), is(Optional.empty()));
        // The gzip rendering's validator does not name the identity bytes a range addresses.
        assertThat(Transfer.ranged(ETAG, get("bytes=0-9", "\"a1-b2-l0-csv-gzip\"")), is(Optional.empty()));
    }

    @Test
    void noRangeMeansTheWholeRendering() {
        assertThat(Transfer.ranged(ETAG, get(null, ETAG)), is(Optional.empty()));
    }

    @Test
    void anOpenRangeRunsToTheLastByte() {
        Transfer.Slice slice = Transfer.slice(new ByteRange(40, OptionalLong.empty()), 100);
        assertThat(slice, is(new Transfer.Slice(40, 99, 100)));
        assertThat(slice.count(), is(60L));
        assertThat(slice.contentRange(), is("bytes 40-99/100"));
    }

    @Test
    void aRangePastTheEndIsCutAtTheLastByte() {
        assertThat(Transfer.slice(new ByteRange(90, OptionalLong.of(500)), 100), is(new Transfer.Slice(90, 99, 100)));
    }

    @Test
    void theLastByteAloneIsARange() {
        assertThat(Transfer.slice(new ByteRange(99, OptionalLong.of(99)), 100).count(), is(1L));
    }

    @Test
    void aRangeStartingAtTheEndIsNotSatisfiableAndNamesTheLength() {
        DomainException refused = assertThrows(DomainException.class,
                () -> Transfer.slice(new ByteRange(100, OptionalLong.empty()), 100));
        assertThat(refused.kind(), is(DomainException.Kind.RANGE_NOT_SATISFIABLE));
        assertThat(refused.code(), is(ErrorCode.RANGE_NOT_SATISFIABLE));
        assertThat(refused.extensions().get(DomainException.CONTENT_RANGE), is("bytes */100"));
    }
}
