package io.audiences.server.auth;

import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.audiences.server.audit.AuditLog;
import io.audiences.server.metrics.ServerMetrics;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.ErrorMapper;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.LogFields;
import io.audiences.server.platform.RequestState;
import io.audiences.server.tracing.Tracing;
import io.audiences.server.platform.ResponseBody;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;

/**
 * Runs before every handler: assigns the request id, finds the contract operation, authenticates the
 * caller with exactly the schemes that operation declares, applies the tenant's rate limit, checks that the
 * credential may call the operation (API key scope, pending one-time password), runs the handler with the caller as
 * the actor of the audit log inside the request's span (when tracing is on), and writes one access-log line (with
 * {@link LogFields} for the JSON log format).
 */
public final class AccessFilter implements Filter {

    private static final Logger ACCESS = Logger.getLogger("io.audiences.access");
    private static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final HeaderName API_KEY = HeaderNames.create("X-Api-Key");
    private static final HeaderName API_SECRET = HeaderNames.create("X-Api-Secret");
    private static final HeaderName APP_CLIENT_ID = HeaderNames.create("X-Delivr-Client-ID");
    private static final HeaderName APP_CLIENT_SECRET = HeaderNames.create("X-Delivr-Client-Secret");
    private static final HeaderName RATE_LIMIT_LIMIT = HeaderNames.create("X-RateLimit-Limit");
    private static final HeaderName RATE_LIMIT_REMAINING = HeaderNames.create("X-RateLimit-Remaining");
    private static final HeaderName RATE_LIMIT_RESET = HeaderNames.create("X-RateLimit-Reset");
    private static final HeaderName RATE_LIMIT_POLICY = HeaderNames.create("RateLimit-Policy");
    private static final HeaderName RATE_LIMIT = HeaderNames.create("RateLimit");
    private static final String READ_WRITE = "read_write";
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Contract contract;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final Tracing tracing;
    private final ServerMetrics metrics;

    public AccessFilter(Contract contract, Authenticator authenticator, RateLimiter rateLimiter, Tracing tracing,
                        ServerMetrics metrics) {
        this.contract = contract;
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.tracing = tracing;
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long started = System.nanoTime();
        String requestId = req.headers().first(REQUEST_ID).filter(id -> SAFE_REQUEST_ID.matcher(id).matches())
                .orElseGet(Ids::requestId);
        String method = req.prologue().method().text();
        String path = req.prologue().uriPath().path();
        boolean head = Method.HEAD.equals(req.prologue().method());
        ResponseBody.begin(head, HttpIo.acceptsGzip(req));
        // HEAD is the GET of the same path without its body: the GET operation answers it, headers and all.
        Optional<Contract.Operation> operation = contract.match(head ? Method.GET.text() : method, path);
        RequestState state = new RequestState(requestId, operation.orElse(null));
        req.context().register(state);
        res.header(REQUEST_ID, requestId);
        Span span = tracing.startRequest(req.headers(), operation.map(Contract.Operation::id).orElse(method),
                method, operation.map(Contract.Operation::template).orElse(""));
        res.whenSent(() -> {
            long nanos = System.nanoTime() - started;
            int status = res.status().code();
            // Labelled by the contract's operation id, never the raw path (ids in paths would be unbounded series).
            metrics.request(operation.map(Contract.Operation::id).orElse(ServerMetrics.NO_OPERATION), status,
                    state.problemCode().orElse(null), nanos);
            Tracing.endRequest(span, status);
            accessLog(req, res, state, method, path, status, nanos / 1_000_000, span.getSpanContext());
        });
        // Off, not even the empty span is made current: the read path pays only tracing.enabled().
        try (Scope ignored = tracing.enabled() ? span.makeCurrent() : Scope.noop()) {
            // The contract is the routing authority: Helidon's routes also match variants the contract does not
            // declare (a trailing slash), which would reach a handler without authentication having run.
            if (operation.isEmpty()) {
                List<String> declared = contract.methodsOf(path);
                if (declared.isEmpty()) {
                    throw new NotFoundException("No such resource");
                }
                List<String> allowed = new ArrayList<>();
                for (String declaredMethod : declared) {
                    allowed.add(declaredMethod);
                    if (declaredMethod.equals(Method.GET.text())) {
                        allowed.add(Method.HEAD.text());
                    }
                }
                allowed.add(Method.OPTIONS.text());
                res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                if (Method.OPTIONS.equals(req.prologue().method())) {
                    res.status(Status.NO_CONTENT_204).send();
                } else {
                    ErrorMapper.methodNotAllowed(req, res);
                }
                return;
            }
            Contract.Operation op = operation.get();
            if (head) {
                req.prologue(HttpPrologue.create(req.prologue().rawProtocol(), req.prologue().protocol(),
                        req.prologue().protocolVersion(), Method.GET, req.prologue().uriPath(), req.prologue().query(),
                        req.prologue().fragment()));
            }
            // Before authentication: a request the operation cannot mean is malformed whoever sends it.
            unknownParameters(op, req);
            Authenticator.Authenticated caller = authenticate(op, req, res, state);
            AuditLog.Actor actor = caller == null ? AuditLog.Actor.anonymous(requestId)
                    : AuditLog.Actor.of(caller.principal(), caller.credentialId(), requestId);
            AuditLog.actingAs(actor, chain::proceed);
        }
    }

    /** One line per request: the text is what a terminal shows, the fields are the JSON format's keys. */
    private static void accessLog(RoutingRequest req, RoutingResponse res, RequestState state, String method, String path,
                                  int status, long millis, SpanContext span) {
        if (!ACCESS.isLoggable(Level.INFO)) {
            return;
        }
        Optional<String> org = state.principal().map(p -> p.organizationId().toString());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", state.requestId());
        fields.put("operation_id", state.operation().map(Contract.Operation::id).orElse(null));
        fields.put("method", method);
        fields.put("path", path);
        fields.put("status", status);
        fields.put("duration_ms", millis);
        fields.put("response_bytes", res.bytesWritten());
        fields.put("organization_id", org.orElse(null));
        fields.put("client_address", RequestState.clientAddress(req));
        if (span.isValid()) {
            fields.put("trace_id", span.getTraceId());
            fields.put("span_id", span.getSpanId());
        }
        LogFields.log(ACCESS, Level.INFO, "request_id=" + state.requestId() + " " + method + " " + path + " " + status + " "
                + millis + "ms" + org.map(o -> " org=" + o).orElse(""), fields);
    }

    private Authenticator.Authenticated authenticate(Contract.Operation op, RoutingRequest req, RoutingResponse res,
                                                     RequestState state) {
        Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
        Optional<String> apiKey = req.headers().first(API_KEY);
        Authenticator.Authenticated caller = null;
        if (authorization.isPresent() && op.accepts("bearerAuth")) {
            String value = authorization.get();
            if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw DomainException.unauthenticated("Use Authorization: Bearer <token>.");
            }
            caller = authenticator.bearer(value.substring(7).trim());
        } else if (apiKey.isPresent() && op.accepts("apiKey")) {
            caller = authenticator.apiKey(apiKey.get().trim(), req.headers().first(API_SECRET).map(String::trim));
        } else if (!op.allowsAnonymous() && (op.accepts("bearerAuth") || op.accepts("apiKey"))) {
            throw DomainException.unauthenticated(apiKey.isPresent() || authorization.isPresent()
                    ? "This operation does not accept these credentials; " + accepted(op) + "."
                    : "Credentials are required; " + accepted(op) + ".");
        }
        if (caller == null) {
            return null;
        }
        state.principal(caller.principal());
        RateLimiter.Decision decision = rateLimiter.acquire(caller.tenantId());
        res.header(RATE_LIMIT_LIMIT, Integer.toString(decision.limit()));
        res.header(RATE_LIMIT_REMAINING, Long.toString(decision.remaining()));
        res.header(RATE_LIMIT_RESET, Long.toString(decision.resetSeconds()));
        // The same figures as IETF structured fields (draft-ietf-httpapi-ratelimit-headers): a quota of the
        // bucket's capacity over the time it takes to refill.
        res.header(RATE_LIMIT_POLICY, "\"tenant\";q=" + decision.limit() + ";w=" + decision.windowSeconds());
        res.header(RATE_LIMIT, "\"tenant\";r=" + decision.remaining() + ";t=" + decision.resetSeconds());
        if (!decision.allowed()) {
            res.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
            throw new DomainException(DomainException.Kind.RATE_LIMITED, ErrorCode.RATE_LIMITED,
                    "The tenant's rate limit is exhausted: " + decision.limit() + " requests, refilled over "
                            + decision.windowSeconds() + " s.", List.of(), Map.of());
        }
        if (authorization.isPresent() && op.accepts("bearerAuth")) {
            appCredentials(op, req, caller);
        }
        authorize(op, caller);
        return caller;
    }

    /**
     * Query parameters the operation does not declare are refused, as unknown body properties are: a misspelt
     * {@code limt} or {@code statsu} would otherwise be silently ignored and answer something the caller did not ask.
     */
    private static void unknownParameters(Contract.Operation op, RoutingRequest req) {
        for (String name : req.query().names()) {
            if (!op.queryParameters().contains(name)) {
                throw DomainException.invalid(ErrorCode.UNKNOWN_PARAMETER, name, "Unknown query parameter " + name
                        + (op.queryParameters().isEmpty() ? "; this operation takes none."
                        : "; this operation takes " + String.join(", ", op.queryParameters().stream().sorted().toList()) + "."));
            }
        }
    }

    /**
     * App credentials beside a Bearer JWT: required where the contract says so (the protected {@code /public/core}
     * operations), and checked wherever they are sent, so a wrong secret is refused rather than silently ignored.
     * After the rate limit, as the token already named the tenant.
     */
    private void appCredentials(Contract.Operation op, RoutingRequest req, Authenticator.Authenticated caller) {
        Optional<String> clientId = req.headers().first(APP_CLIENT_ID).map(String::trim);
        Optional<String> clientSecret = req.headers().first(APP_CLIENT_SECRET).map(String::trim);
        if (op.requiresAppCredentials() || clientId.isPresent() || clientSecret.isPresent()) {
            authenticator.appCredentials(caller.principal(), clientId, clientSecret);
        }
    }

    /** What an accepted credential may still not do: the contract says which scope and which state each operation needs. */
    private static void authorize(Contract.Operation op, Authenticator.Authenticated caller) {
        if (caller.passwordChangeRequired() && !op.allowedBeforePasswordChange()) {
            throw new DomainException(DomainException.Kind.UNAUTHENTICATED, ErrorCode.PASSWORD_CHANGE_REQUIRED,
                    "Replace the one-time password first: POST /api/v1/users/me/password, then log in again.");
        }
        if (!READ_WRITE.equals(caller.scope()) && !caller.scope().equals(op.requiredScope())) {
            throw new DomainException(DomainException.Kind.FORBIDDEN, ErrorCode.INSUFFICIENT_SCOPE,
                    "This API key's scope is " + caller.scope() + "; this operation needs " + op.requiredScope() + ".");
        }
    }

    private static String accepted(Contract.Operation op) {
        return op.accepts("apiKey") ? "send a Bearer token, or X-Api-Key with X-Api-Secret"
                : "send Authorization: Bearer <token>";
    }
}
