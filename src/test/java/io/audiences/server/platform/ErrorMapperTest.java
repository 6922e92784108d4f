package io.audiences.server.platform;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.helidon.http.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/**
 * The server-free half of the error path: which status each kind of {@link DomainException} is answered with, and
 * the codes and pointers of the factory methods domain code throws through.
 */
class ErrorMapperTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
        "INVALID,                400, Bad Request",
        "UNAUTHENTICATED,        401, Unauthorized",
        "FORBIDDEN,              403, Forbidden",
        "NOT_FOUND,              404, Not Found",
        "CONFLICT,               409, Conflict",
        "PRECONDITION_FAILED,    412, Precondition Failed",
        "PAYLOAD_TOO_LARGE,      413, Request Entity Too Large",
        "UNSUPPORTED_MEDIA_TYPE, 415, Unsupported Media Type",
        "RANGE_NOT_SATISFIABLE,  416, Requested Range Not Satisfiable",
        "UNPROCESSABLE,          422, Unprocessable Entity",
        "RATE_LIMITED,           429, Too Many Requests",
        "UNAVAILABLE,            503, Service Unavailable",
    })
    void eachKindHasItsStatus(DomainException.Kind kind, int code, String reasonPhrase) {
        Status status = ErrorMapper.status(kind);
        assertThat(status.code(), is(code));
        // The reason phrase is the problem's title.
        assertThat(status.reasonPhrase(), is(reasonPhrase));
    }

    @Test
    void everyKindIsListedAboveAndNoTwoShareAStatus() {
        List<Integer> codes = Arrays.stream(DomainException.Kind.values()).map(k -> ErrorMapper.status(k).code()).toList();
        assertThat(codes.size(), is(12));
        assertThat(codes.stream().distinct().count(), is(12L));
    }

    @Test
    void invalidNamesTheOffendingLocation() {
        DomainException e = DomainException.invalid(ErrorCode.INVALID_PARAMETER, "limit", "limit must be between 1 and 100.");
        assertThat(e.kind(), is(DomainException.Kind.INVALID));
        assertThat(e.code(), is(ErrorCode.INVALID_PARAMETER));
        assertThat(e.getMessage(), is("limit must be between 1 and 100."));
        assertThat(e.errors(), contains(new DomainException.FieldError("limit", "limit must be between 1 and 100.")));
    }

    @Test
    void notFoundConflictAndUnauthenticatedCarryTheirStableCodes() {
        DomainException notFound = DomainException.notFound("Audience");
        assertThat(notFound.kind(), is(DomainException.Kind.NOT_FOUND));
        assertThat(notFound.code(), is(ErrorCode.NOT_FOUND));
        assertThat(notFound.getMessage(), is("Audience not found."));
        assertThat(notFound.errors(), is(List.of()));

        DomainException conflict = DomainException.conflict(ErrorCode.QUOTA_EXCEEDED, "Too many.");
        assertThat(conflict.kind(), is(DomainException.Kind.CONFLICT));
        assertThat(conflict.code(), is(ErrorCode.QUOTA_EXCEEDED));

        DomainException unauthenticated = DomainException.unauthenticated("Missing credentials.");
        assertThat(unauthenticated.kind(), is(DomainException.Kind.UNAUTHENTICATED));
        assertThat(unauthenticated.code(), is(ErrorCode.UNAUTHORIZED));
    }

    @Test
    void errorsAndExtensionsAreCopiedNotShared() {
        List<DomainException.FieldError> errors = new ArrayList<>(List.of(new DomainException.FieldError("/a", "x")));
        Map<String, Object> extensions = new HashMap<>(Map.of(DomainException.RETRY_AFTER, 3));
        DomainException e = new DomainException(DomainException.Kind.RATE_LIMITED, ErrorCode.RATE_LIMITED, "Slow down.", errors,
                extensions);
        errors.clear();
        extensions.clear();
        assertThat(e.errors().size(), is(1));
        assertThat(e.extensions(), is(Map.of(DomainException.RETRY_AFTER, 3)));
    }
}
