package io.audiences.server.platform;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Keyset pages and their opaque cursors. */
class PageTest {

    @Test
    void moreRowsThanTheLimitGiveAFullPageAndACursorAfterItsLastRow() {
        Page<Long> page = Page.of(List.of(10L, 20L, 30L), 2, Long::longValue);
        assertThat(page.items(), contains(10L, 20L));
        assertThat(page.nextCursor(), is(Optional.of(Page.encode(20))));
        assertThat(Page.after(page.nextCursor()), is(20L));
    }

    @Test
    void exactlyTheLimitIsTheLastPage() {
        Page<Long> page = Page.of(List.of(10L, 20L), 2, Long::longValue);
        assertThat(page.items(), contains(10L, 20L));
        assertThat(page.nextCursor(), is(Optional.empty()));
    }

    @Test
    void noRowsIsAnEmptyLastPage() {
        Page<Long> page = Page.of(List.of(), 5, Long::longValue);
        assertThat(page.items(), is(List.of()));
        assertThat(page.nextCursor(), is(Optional.empty()));
    }

    @Test
    void theCursorIsUnpaddedBase64UrlOfThePrefixedSequence() {
        assertThat(Page.encode(42), is("czo0Mg"));
        assertThat(Page.after(Optional.of("czo0Mg")), is(42L));
        assertThat(Page.after(Optional.of(Page.encode(Long.MAX_VALUE))), is(Long.MAX_VALUE));
    }

    @Test
    void noCursorStartsAtTheBeginning() {
        assertThat(Page.after(Optional.empty()), is(0L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!", "MTIz", "czo", "czphYmM", "czo5OTk5OTk5OTk5OTk5OTk5OTk5OQ"})
    void aForeignCursorIsAnInvalidParameter(String cursor) {
        DomainException e = assertThrows(DomainException.class, () -> Page.after(Optional.of(cursor)));
        assertThat(e.kind(), is(DomainException.Kind.INVALID));
        assertThat(e.code(), is(ErrorCode.INVALID_PARAMETER));
        assertThat(e.errors(), contains(new DomainException.FieldError("cursor",
                "cursor is not a cursor returned by this API for this order.")));
    }

    @Test
    void foreignCursorsUsedAboveAreWhatTheyClaim() {
        // "MTIz" is "123" without the prefix, "czo" is "s:" alone, "czphYmM" is "s:abc", the last one overflows a long.
        assertThat(decode("MTIz"), is("123"));
        assertThat(decode("czo"), is("s:"));
        assertThat(decode("czphYmM"), is("s:abc"));
        assertThat(decode("czo5OTk5OTk5OTk5OTk5OTk5OTk5OQ"), is("s:99999999999999999999"));
    }

    private static String decode(String cursor) {
        return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    }
}
