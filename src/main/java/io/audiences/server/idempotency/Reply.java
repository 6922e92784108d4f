package io.audiences.server.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.audiences.server.platform.Json;

/**
 * The successful answer to a state-changing request, as sent the first time and as replayed: the status, the
 * headers a client acts on (Location, ETag) and the exact body bytes.
 */
public record Reply(int status, String contentType, Optional<String> location, Optional<String> etag, byte[] body) {

    /** {@code dto} serialized once, as application/json. */
    public static Reply json(int status, Object dto) {
        return new Reply(status, "application/json", Optional.empty(), Optional.empty(),
                Json.JSONB.toJson(dto).getBytes(StandardCharsets.UTF_8));
    }

    public Reply withLocation(String location) {
        return new Reply(status, contentType, Optional.of(location), etag, body);
    }

    public Reply withEtag(String etag) {
        return new Reply(status, contentType, location, Optional.of(etag), body);
    }
}
