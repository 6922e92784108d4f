package io.audiences.server.platform;

import java.util.List;
import java.util.Map;

/**
 * A failure the caller can act on. Domain code throws it without knowing HTTP; {@link ErrorMapper}
 * turns the {@link Kind} into a status and the rest into a problem+json body.
 */
public final class DomainException extends RuntimeException {

    /** What went wrong, in terms the HTTP layer maps to a status. */
    public enum Kind {
        INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, PRECONDITION_FAILED, RANGE_NOT_SATISFIABLE, UNPROCESSABLE, RATE_LIMITED,
        PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, UNAVAILABLE
    }

    /** Extension whose value (seconds) {@link ErrorMapper} sends as {@code Retry-After}. */
    public static final String RETRY_AFTER = "retry_after";

    /** Extension {@link ErrorMapper} sends as {@code Content-Range}: a 416 names the representation's length. */
    public static final String CONTENT_RANGE = "content_range";

    /** One offending location in the request: a JSON pointer into the body, or a parameter name. */
    public record FieldError(String pointer, String detail) { }

    private final Kind kind;
    private final ErrorCode code;
    private final transient List<FieldError> errors;
    private final transient Map<String, Object> extensions;

    public DomainException(Kind kind, ErrorCode code, String detail) {
        this(kind, code, detail, List.of(), Map.of());
    }

    public DomainException(Kind kind, ErrorCode code, String detail, List<FieldError> errors, Map<String, Object> extensions) {
        super(detail, null, false, false);
        this.kind = kind;
        this.code = code;
        this.errors = List.copyOf(errors);
        this.extensions = Map.copyOf(extensions);
    }

    public static DomainException invalid(ErrorCode code, String pointer, String detail) {
        return new DomainException(Kind.INVALID, code, detail, List.of(new FieldError(pointer, detail)), Map.of());
    }

    public static DomainException notFound(String what) {
        return new DomainException(Kind.NOT_FOUND, ErrorCode.NOT_FOUND, what + " not found.");
    }

    public static DomainException conflict(ErrorCode code, String detail) {
        return new DomainException(Kind.CONFLICT, code, detail);
    }

    public static DomainException unauthenticated(String detail) {
        return new DomainException(Kind.UNAUTHENTICATED, ErrorCode.UNAUTHORIZED, detail);
    }

    public Kind kind() {
        return kind;
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
