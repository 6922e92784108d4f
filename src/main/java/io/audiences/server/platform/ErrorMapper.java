package io.audiences.server.platform;

import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.audiences.model.PauseReason;
import io.audiences.model.Problem;
import io.audiences.model.ProblemError;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
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
     */
    public static DirectHandlers directHandlers() {
        DirectHandler handler = (request, eventType, status, headers, message) -> {
            String requestId = request.headers().first(HeaderNames.create("X-Request-Id"))
                    .filter(id -> SAFE_REQUEST_ID.matcher(id).matches())
                    .orElseGet(() -> Ids.uuid().toString());
            String code = switch (status.code()) {
                case 413 -> "payload_too_large";
                case 404 -> "not_found";
                default -> status.code() < 500 ? "bad_request" : "internal_error";
            };
            String detail = status.code() == 413 ? "The request body exceeds " + HttpIo.MAX_BODY_BYTES + " bytes."
                    : status.reasonPhrase() + ".";
            Problem problem = new Problem().type("/problems/" + code.replace('_', '-')).title(status.reasonPhrase())
                    .status(status.code()).detail(detail).code(code).requestId(requestId).errors(null);
            return DirectHandler.TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, PROBLEM_JSON)
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

    private static void domain(ServerRequest req, ServerResponse res, DomainException e) {
        Status status = switch (e.kind()) {
            case INVALID -> Status.BAD_REQUEST_400;
            case UNAUTHENTICATED -> Status.UNAUTHORIZED_401;
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
        if (e.kind() == DomainException.Kind.UNAUTHENTICATED) {
            res.header("WWW-Authenticate", "Bearer, ApiKey");
        }
        Object retryAfter = e.extensions().get(DomainException.RETRY_AFTER);
        if (retryAfter != null) {
            res.header(HeaderNames.RETRY_AFTER, retryAfter.toString());
        }
        Problem problem = problem(req, status, e.code(), e.getMessage());
        if (!e.errors().isEmpty()) {
            problem.errors(e.errors().stream().map(f -> new ProblemError().pointer(f.pointer()).detail(f.detail())).toList());
        }
        Object pauseReason = e.extensions().get("pause_reason");
        if (pauseReason != null) {
            problem.pauseReason(PauseReason.fromValue(pauseReason.toString()));
        }
        send(res, status, problem);
    }

    private static void http(ServerRequest req, ServerResponse res, HttpException e) {
        Status status = e.status();
        String code = switch (status.code()) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status.code() < 500 ? "bad_request" : "internal_error";
        };
        String detail = status.code() == 404 ? "No such resource: " + req.prologue().method().text() + " "
                + req.prologue().uriPath().path() : e.getMessage();
        send(res, status, problem(req, status, code, detail));
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        String requestId = requestId(req);
        if (Database.isUnavailable(e)) {
            // Expected for every request during an outage: the monitor logs the outage once; here only at FINE.
            LOG.fine(() -> "request_id=" + requestId + " database unavailable: " + e);
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
            send(res, Status.SERVICE_UNAVAILABLE_503, problem(req, Status.SERVICE_UNAVAILABLE_503, "database_unavailable",
                    "The database is unavailable; retry in " + RETRY_AFTER_SECONDS + " seconds."));
            return;
        }
        LOG.log(Level.SEVERE, "request_id=" + requestId + " unexpected failure", e);
        send(res, Status.INTERNAL_SERVER_ERROR_500, problem(req, Status.INTERNAL_SERVER_ERROR_500, "internal_error",
                "An unexpected error occurred; quote request_id " + requestId + " when reporting it."));
    }

    private static Problem problem(ServerRequest req, Status status, String code, String detail) {
        return new Problem()
                .type("/problems/" + code.replace('_', '-'))
                .title(status.reasonPhrase())
                .status(status.code())
                .detail(detail)
                .code(code)
                .requestId(requestId(req))
                .errors(null);
    }

    private static String requestId(ServerRequest req) {
        return RequestState.of(req).map(RequestState::requestId).orElse("unknown");
    }

    private static void send(ServerResponse res, Status status, Problem problem) {
        if (res.isSent()) {
            return;
        }
        HttpIo.send(res, status, PROBLEM_JSON, Json.JSONB.toJson(problem));
    }
}
