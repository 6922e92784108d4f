package io.audiences.server.platform;

import java.net.InetSocketAddress;
import java.util.Optional;


import io.helidon.webserver.http.ServerRequest;

/** What the access filter learned about a request, for handlers and the error mapper. */
public final class RequestState {

    private final String requestId;
    private final Contract.Operation operation;
    private Principal principal;
    private String problemCode;

    public RequestState(String requestId, Contract.Operation operation) {
        this.requestId = requestId;
        this.operation = operation;
    }

    public static Optional<RequestState> of(ServerRequest req) {
        return req.context().get(RequestState.class);
    }

    public static RequestState require(ServerRequest req) {
        return of(req).orElseThrow(() -> new IllegalStateException("Request passed no access filter"));
    }

    /**
     * The TCP peer's address: a forwarded-for header is whatever the client chose to write, so trusting it would let
     * an attacker pick a fresh address for every attempt (sign-in budgets) or hide in the access log.
     */
    public static String clientAddress(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : req.remotePeer().host();
    }

    public String requestId() {
        return requestId;
    }

    public Optional<Contract.Operation> operation() {
        return Optional.ofNullable(operation);
    }

    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    public void principal(Principal principal) {
        this.principal = principal;
    }

    /** The {@code code} of the problem+json answer, when the request failed (for the metrics). */
    public Optional<String> problemCode() {
        return Optional.ofNullable(problemCode);
    }

    public void problemCode(String code) {
        this.problemCode = code;
    }
}
