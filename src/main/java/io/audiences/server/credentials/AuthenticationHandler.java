package io.audiences.server.credentials;

import io.audiences.api.AuthenticationService;
import io.audiences.model.AppToken;
import io.audiences.model.AppTokenEnvelope;
import io.audiences.model.LoginRequest;
import io.audiences.model.LoginResponse;
import io.audiences.server.platform.HttpIo;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of login and the app client-credentials exchange. */
public final class AuthenticationHandler implements AuthenticationService {

    private final CredentialService credentials;
    private final HttpIo io;

    public AuthenticationHandler(CredentialService credentials, HttpIo io) {
        this.credentials = credentials;
        this.io = io;
    }

    @Override
    public void login(ServerRequest req, ServerResponse res) {
        LoginRequest body = io.body(req, LoginRequest.class);
        CredentialService.Token token = credentials.login(body.getEmail(), body.getPassword());
        HttpIo.json(res, Status.OK_200, new LoginResponse()
                .token(token.token())
                .tokenType(LoginResponse.TokenTypeEnum.BEARER)
                .expiresIn((int) token.ttl().toSeconds())
                .userId(token.principal().subjectId())
                .organizationId(token.principal().organizationId()));
    }

    @Override
    public void issueAppToken(ServerRequest req, ServerResponse res) {
        CredentialService.Token token = credentials.issueAppToken(
                req.headers().first(HeaderNames.create("X-Delivr-Client-ID")),
                req.headers().first(HeaderNames.create("X-Delivr-Client-Secret")));
        HttpIo.json(res, Status.OK_200, new AppTokenEnvelope().response(new AppToken()
                .token(token.token())
                .tokenType(AppToken.TokenTypeEnum.BEARER)
                .expiresIn((int) token.ttl().toSeconds())
                .appId(token.principal().subjectId())
                .organizationId(token.principal().organizationId())));
    }
}
