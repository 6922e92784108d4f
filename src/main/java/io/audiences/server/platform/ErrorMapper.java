package io.audiences.server.platform;

import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.audiences.model.PauseReasonDto;
import io.audiences.model.ProblemDto;
import io.audiences.model.ProblemErrorDto;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The one place where failures become {@code application/problem+json} responses. */
public final class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());
    private static final String PROBLEM_JSON = "application/problem+json";
    /**
     * What a 503 {@code database_unavailable} tells clients to wait: a few of the monitor's checks, so a client
     * retrying on it finds the database back soon after it is, without hammering it meanwhile.
     */
    static final int RETRY_AFTER_SECONDS = 2;
    /** What a 503 {@code database_busy} tells clients to wait: lock waits are short, a second is plenty. */
    static final int BUSY_RETRY_AFTER_SECONDS = 1;
    /** The same rule as the access filter's: echo only safe request ids. */
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private ErrorMapper() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(DomainException.class, ErrorMapper::domain)
                .error(HttpException.class, ErrorMapper::http)
                .error(Throwable.class, ErrorMapper::unexpected);
    }

    /**
     * Failures Helidon answers before routing (a body over {@code server.max-payload-size}, an unparseable
     * request line or headers) as problem+json too, instead of Helidon's bare default answer.
     *
     * @param maxPayloadBytes the web server's limit on any request body ({@code server.max-payload-size}), named in
     *                        the 413's detail
     */
    public static DirectHandlers directHandlers(long maxPayloadBytes) {
        DirectHandler handler = (request, eventType, status, headers, message) -> {
            String requestId = requestId(request.headers());
            ErrorCode code = switch (status.code()) {
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                case 404 -> ErrorCode.NOT_FOUND;
                default -> status.code() < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_ERROR;
            };
            String detail = status.code() == 413 ? "The request body exceeds " + maxPayloadBytes + " bytes."
                    : status.reasonPhrase() + ".";
            ProblemDto problem = problem(status, code, detail, requestId);
            return DirectHandler.TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, PROBLEM_JSON)
                    .header(SecurityHeaders.NO_SNIFF)
                    .header(SecurityHeaders.NO_STORE)
                    .header(HeaderNames.create("X-Request-Id"), requestId)
                    .keepAlive(eventType.keepAlive())
                    .entity(Json.JSONB.toJson(problem))
                    .build();
        };
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    /**
     * A refusal by a filter that runs before the access filter (the CORS origin check): no request state exists yet,
     * so the request id is taken or made here, as for the direct handlers, and the headers every answer carries are set.
     */
    public static void refuseBeforeRouting(ServerRequest req, ServerResponse res, Status status, ErrorCode code,
                                           String detail) {
        String requestId = requestId(req.headers());
        res.header(HeaderNames.create("X-Request-Id"), requestId);
        res.header(SecurityHeaders.NO_SNIFF);
        res.header(SecurityHeaders.NO_STORE);
        HttpIo.send(res, status, PROBLEM_JSON, Json.JSONB.toJson(problem(status, code, detail, requestId)));
    }

    private static String requestId(Headers headers) {
        return headers.first(HeaderNames.create("X-Request-Id")).filter(id -> SAFE_REQUEST_ID.matcher(id).matches())
                .orElseGet(Ids::requestId);
    }

    private static void domain(ServerRequest req, ServerResponse res, DomainException e) {
        Status status = status(e.kind());
        if (e.kind() == DomainException.Kind.UNAUTHENTICATED) {
            res.header("WWW-Authenticate", "Bearer, ApiKey");
        }
        Object retryAfter = e.extensions().get(DomainException.RETRY_AFTER);
        if (retryAfter != null) {
            res.header(HeaderNames.RETRY_AFTER, retryAfter.toString());
        }
        Object contentRange = e.extensions().get(DomainException.CONTENT_RANGE);
        if (contentRange != null) {
            res.header(HeaderNames.CONTENT_RANGE, contentRange.toString());
        }
        ProblemDto problem = problem(req, status, e.code(), e.getMessage());
        if (!e.errors().isEmpty()) {
            problem.errors(e.errors().stream().map(f -> new ProblemErrorDto().pointer(f.pointer()).detail(f.detail())).toList());
        }
        Object pauseReason = e.extensions().get("pause_reason");
        if (pauseReason != null) {
            problem.pauseReason(PauseReasonDto.fromValue(pauseReason.toString()));
        }
        send(req, res, status, problem);
    }

    /** The status of each kind of domain failure; package-private for its unit test. */
    static Status status(DomainException.Kind kind) {
        return switch (kind) {
            case INVALID -> Status.BAD_REQUEST_400;
            case UNAUTHENTICATED -> Status.UNAUTHORIZED_401;
            case FORBIDDEN -> Status.FORBIDDEN_403;
            case NOT_FOUND -> Status.NOT_FOUND_404;
            case CONFLICT -> Status.CONFLICT_409;
            case PRECONDITION_FAILED -> Status.PRECONDITION_FAILED_412;
            case RANGE_NOT_SATISFIABLE -> Status.REQUESTED_RANGE_NOT_SATISFIABLE_416;
            case UNPROCESSABLE -> Status.create(422, "Unprocessable Entity");
            case PAYLOAD_TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
            case UNSUPPORTED_MEDIA_TYPE -> Status.UNSUPPORTED_MEDIA_TYPE_415;
            case RATE_LIMITED -> Status.TOO_MANY_REQUESTS_429;
            case UNAVAILABLE -> Status.SERVICE_UNAVAILABLE_503;
        };
    }

    /** A 405 for a method the contract does not declare on the path (the caller has set {@code Allow}). */
    public static void methodNotAllowed(ServerRequest req, ServerResponse res) {
        send(req, res, Status.METHOD_NOT_ALLOWED_405, problem(req, Status.METHOD_NOT_ALLOWED_405, ErrorCode.METHOD_NOT_ALLOWED,
                req.prologue().method().text() + " is not an operation of " + req.prologue().uriPath().path()
                        + "; see Allow for those that are."));
    }

    private static void http(ServerRequest req, ServerResponse res, HttpException e) {
        Status status = e.status();
        ErrorCode code = switch (status.code()) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> status.code() < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_ERROR;
        };
        String detail = status.code() == 404 ? "No such resource: " + req.prologue().method().text() + " "
                + req.prologue().uriPath().path() : e.getMessage();
        send(req, res, status, problem(req, status, code, detail));
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        String requestId = requestId(req);
        if (Database.isUnavailable(e)) {
            // Expected for every request during an outage: the monitor logs the outage once; here only at FINE.
            LOG.fine(() -> "request_id=" + requestId + " database unavailable: " + e);
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
            send(req, res, Status.SERVICE_UNAVAILABLE_503, problem(req, Status.SERVICE_UNAVAILABLE_503, ErrorCode.DATABASE_UNAVAILABLE,
                    "The database is unavailable; retry in " + RETRY_AFTER_SECONDS + " seconds."));
            return;
        }
        if (Database.isContended(e)) {
            // A lock held by a concurrent change (a build swapping its snapshot in, say) outlasted the lock timeout, or
            // a deadlock was broken: the request changed nothing and a retry shortly after succeeds.
            LOG.fine(() -> "request_id=" + requestId + " database busy: " + e);
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(BUSY_RETRY_AFTER_SECONDS));
            send(req, res, Status.SERVICE_UNAVAILABLE_503, problem(req, Status.SERVICE_UNAVAILABLE_503, ErrorCode.DATABASE_BUSY,
                    "The data is locked by a concurrent change; nothing was changed, retry in "
                            + BUSY_RETRY_AFTER_SECONDS + " second."));
            return;
        }
        LOG.log(Level.SEVERE, "request_id=" + requestId + " unexpected failure", e);
        send(req, res, Status.INTERNAL_SERVER_ERROR_500, problem(req, Status.INTERNAL_SERVER_ERROR_500, ErrorCode.INTERNAL_ERROR,
                "An unexpected error occurred; quote request_id " + requestId + " when reporting it."));
    }

    /**
     * The problem type: the section of {@code GET /docs/errors} describing the code, a URI reference resolved against
     * the server's base URL (RFC 9457 §3.1.1 allows relative references), so it is fetchable wherever the server runs.
     */
    public static String typeOf(ErrorCode code) {
        return "/docs/errors#" + code.code();
    }

    private static ProblemDto problem(ServerRequest req, Status status, ErrorCode code, String detail) {
        return problem(status, code, detail, requestId(req));
    }

    private static ProblemDto problem(Status status, ErrorCode code, String detail, String requestId) {
        return new ProblemDto()
                .type(typeOf(code))
                .title(status.reasonPhrase())
                .status(status.code())
                .detail(detail)
                .code(code.code())
                .requestId(requestId)
                .errors(null);
    }

    private static String requestId(ServerRequest req) {
        return RequestState.of(req).map(RequestState::requestId).orElse("unknown");
    }

    private static void send(ServerRequest req, ServerResponse res, Status status, ProblemDto problem) {
        if (res.isSent()) {
            return;
        }
        RequestState.of(req).ifPresent(state -> state.problemCode(problem.getCode()));
        HttpIo.send(res, status, PROBLEM_JSON, Json.JSONB.toJson(problem));
    }
}
