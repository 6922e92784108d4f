package io.audiences.server.platform;

import java.util.Optional;

import io.audiences.server.auth.Principal;

import io.helidon.webserver.http.ServerRequest;

/** What the access filter learned about a request, for handlers and the error mapper. */
public final class RequestState {

    private final String requestId;
    private final Contract.Operation operation;
    private Principal principal;

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
}
