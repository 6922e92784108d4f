package io.audiences.server.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.audiences.server.platform.Contract;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.RequestState;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.NotFoundException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Runs before every handler: assigns the request id, finds the contract operation, authenticates the
 * caller with exactly the schemes that operation declares, applies the organization's rate limit and
 * writes one access-log line.
 */
public final class AccessFilter implements Filter {

    private static final Logger ACCESS = Logger.getLogger("io.audiences.access");
    private static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final HeaderName API_KEY = HeaderNames.create("X-Api-Key");
    private static final HeaderName API_SECRET = HeaderNames.create("X-Api-Secret");
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Contract contract;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;

    public AccessFilter(Contract contract, Authenticator authenticator, RateLimiter rateLimiter) {
        this.contract = contract;
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long started = System.nanoTime();
        String requestId = req.headers().first(REQUEST_ID).filter(id -> SAFE_REQUEST_ID.matcher(id).matches())
                .orElseGet(() -> Ids.uuid().toString());
        String method = req.prologue().method().text();
        String path = req.prologue().uriPath().path();
        Optional<Contract.Operation> operation = contract.match(method, path);
        RequestState state = new RequestState(requestId, operation.orElse(null));
        req.context().register(state);
        res.header(REQUEST_ID, requestId);
        res.whenSent(() -> ACCESS.info(() -> "request_id=" + requestId + " " + method + " " + path + " "
                + res.status().code() + " " + (System.nanoTime() - started) / 1_000_000 + "ms"
                + state.principal().map(p -> " org=" + p.organizationId()).orElse("")));
        // The contract is the routing authority: Helidon's routes also match variants the contract does not
        // declare (a trailing slash), which would reach a handler without authentication having run.
        Contract.Operation op = operation.orElseThrow(() -> new NotFoundException("No such resource"));
        authenticate(op, req, res, state);
        chain.proceed();
    }

    private void authenticate(Contract.Operation op, RoutingRequest req, RoutingResponse res, RequestState state) {
        Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
        Optional<String> apiKey = req.headers().first(API_KEY);
        Principal principal = null;
        if (authorization.isPresent() && op.accepts("bearerAuth")) {
            String value = authorization.get();
            if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw DomainException.unauthenticated("Use Authorization: Bearer <token>.");
            }
            principal = authenticator.bearer(value.substring(7).trim());
        } else if (apiKey.isPresent() && op.accepts("apiKey")) {
            principal = authenticator.apiKey(apiKey.get().trim(), req.headers().first(API_SECRET).map(String::trim));
        } else if (!op.allowsAnonymous() && (op.accepts("bearerAuth") || op.accepts("apiKey"))) {
            throw DomainException.unauthenticated(apiKey.isPresent() || authorization.isPresent()
                    ? "This operation does not accept these credentials; " + accepted(op) + "."
                    : "Credentials are required; " + accepted(op) + ".");
        }
        if (principal == null) {
            return;
        }
        state.principal(principal);
        RateLimiter.Decision decision = rateLimiter.acquire(principal.organizationId());
        res.header("X-RateLimit-Limit", Integer.toString(decision.limit()));
        res.header("X-RateLimit-Remaining", Long.toString(decision.remaining()));
        res.header("X-RateLimit-Reset", Long.toString(decision.resetSeconds()));
        if (!decision.allowed()) {
            res.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
            throw new DomainException(DomainException.Kind.RATE_LIMITED, "rate_limited",
                    "Rate limit of " + decision.limit() + " requests per second exceeded.",
                    List.of(), Map.of());
        }
    }

    private static String accepted(Contract.Operation op) {
        return op.accepts("apiKey") ? "send a Bearer token, or X-Api-Key with X-Api-Secret"
                : "send Authorization: Bearer <token>";
    }
}
