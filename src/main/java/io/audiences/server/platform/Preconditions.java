package io.audiences.server.platform;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Conditional changes ({@code If-Match}, RFC 9110 §13.1.1) of resources that carry a version counter: their ETag is
 * the weak tag {@code W/"<id>-<version>"}, which changes with every write, and a PATCH or DELETE sent with an
 * {@code If-Match} that names no current tag changes nothing and answers 412 {@code precondition_failed}, so two
 * clients editing from the same read cannot overwrite each other. Without {@code If-Match} a change is unconditional.
 */
public final class Preconditions {

    private static final int MAX_IF_MATCH = 200;

    private Preconditions() {
    }

    /** The weak ETag of version {@code version} of the resource {@code id}. */
    public static String etag(Object id, long version) {
        return "W/\"" + id + "-" + version + "\"";
    }

    /** The request's {@code If-Match}, if any; 400 when it is blank or too long to be a list of our tags. */
    public static Optional<String> ifMatch(ServerRequest req) {
        Optional<String> value = req.headers().first(HeaderNames.IF_MATCH);
        if (value.isPresent() && (value.get().isBlank() || value.get().length() > MAX_IF_MATCH)) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "If-Match",
                    "If-Match must be an ETag (or *) of at most " + MAX_IF_MATCH + " characters.");
        }
        return value;
    }

    /**
     * Refuses the change (412) unless {@code ifMatch} is absent, {@code *}, or lists {@code current} by weak comparison
     * (RFC 9110 §8.8.3.2: our tags are weak, so strong comparison would never match).
     */
    public static void require(Optional<String> ifMatch, String current, String resource) {
        if (ifMatch.isEmpty()) {
            return;
        }
        String opaque = current.substring(2);
        for (String tag : ifMatch.get().split(",")) {
            String t = tag.trim();
            if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(opaque)) {
                return;
            }
        }
        throw failed(resource, current);
    }

    /** The 412 of a change whose version was overtaken (before the check or, concurrently, before the write). */
    public static DomainException failed(String resource, String current) {
        return new DomainException(DomainException.Kind.PRECONDITION_FAILED, ErrorCode.PRECONDITION_FAILED,
                "The " + resource + " has changed since the ETag sent in If-Match; fetch it again (its ETag is now "
                        + current + ") and retry the change on that version.", List.of(), Map.of());
    }
}
