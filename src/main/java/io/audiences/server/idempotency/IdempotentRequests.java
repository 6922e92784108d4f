package io.audiences.server.idempotency;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.SecretHash;
import io.audiences.server.platform.TransactionHook;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The handlers' side of {@link Idempotency}: every POST that creates or changes state answers through
 * {@link #respond}, with or without an {@code Idempotency-Key}.
 */
public final class IdempotentRequests {

    static final HeaderName KEY = HeaderNames.create("Idempotency-Key");
    static final HeaderName REPLAYED = HeaderNames.create("Idempotent-Replayed");
    private static final int MAX_KEY_LENGTH = 255;

    private final Idempotency idempotency;

    public IdempotentRequests(Idempotency idempotency) {
        this.idempotency = idempotency;
    }

    /**
     * Runs {@code change} and sends the reply {@code render} makes of its result. The request body and parameters
     * must be validated before (a request refused for bad input claims no key). With an Idempotency-Key, the key
     * is claimed first, the reply is rendered and recorded inside the change's transaction (the service runs the
     * hook it is given), and a retry gets that reply again, byte for byte, with {@code Idempotent-Replayed: true}.
     *
     * @param project the project the request is scoped to, if any (part of the fingerprint)
     * @param body    the request body as bound, or {@code null} (part of the fingerprint)
     * @param change  calls the service with the hook it must run before committing
     * @param render  the reply for the change's result
     */
    public <T> void respond(ServerRequest req, ServerResponse res, Optional<UUID> project, Object body,
                            Function<TransactionHook<T>, T> change, Function<T, Reply> render) {
        Optional<Idempotency.Claim> claim = key(req).map(k -> idempotency.claim(HttpIo.principal(req).organizationId(), k,
                fingerprint(req, project, body)));
        if (claim.orElse(null) instanceof Idempotency.Replay replay) {
            send(res, replay.reply(), true);
            return;
        }
        Optional<Idempotency.Owned> owned = claim.map(Idempotency.Owned.class::cast);
        AtomicReference<Reply> reply = new AtomicReference<>();
        try {
            change.apply((tx, result) -> {
                Reply rendered = render.apply(result);
                owned.ifPresent(o -> idempotency.complete(tx, o, rendered));
                reply.set(rendered);
            });
        } catch (RuntimeException e) {
            owned.ifPresent(idempotency::release);
            throw e;
        }
        send(res, Objects.requireNonNull(reply.get(), "the change did not run its transaction hook"), false);
    }

    private static Optional<String> key(ServerRequest req) {
        Optional<String> key = req.headers().first(KEY);
        if (key.isPresent() && (key.get().isEmpty() || key.get().length() > MAX_KEY_LENGTH)) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, KEY.defaultCase(),
                    KEY.defaultCase() + " must be 1 to " + MAX_KEY_LENGTH + " characters.");
        }
        return key;
    }

    /** What makes two requests the same request: method, path, project and body (as bound, so formatting does not count). */
    private static String fingerprint(ServerRequest req, Optional<UUID> project, Object body) {
        return SecretHash.sha256(req.prologue().method().text() + "\n" + req.prologue().uriPath().path() + "\n"
                + project.map(UUID::toString).orElse("") + "\n" + (body == null ? "" : Json.JSONB.toJson(body)));
    }

    private static void send(ServerResponse res, Reply reply, boolean replayed) {
        if (replayed) {
            res.header(REPLAYED, "true");
        }
        reply.location().ifPresent(l -> res.header(HeaderNames.LOCATION, l));
        reply.etag().ifPresent(e -> res.header(HeaderNames.ETAG, e));
        res.status(Status.create(reply.status()));
        res.header(HeaderNames.CONTENT_TYPE, reply.contentType());
        res.send(reply.body());
    }
}
