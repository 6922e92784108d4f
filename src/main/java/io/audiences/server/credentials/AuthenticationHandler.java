package io.audiences.server.credentials;

import java.util.Locale;

import io.audiences.api.AuthenticationApi;
import io.audiences.model.AppTokenDto;
import io.audiences.model.AppTokenEnvelopeDto;
import io.audiences.model.LoginRequestDto;
import io.audiences.model.LoginResponseDto;
import io.audiences.server.audit.AuditLog;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.RequestState;
import io.audiences.server.signin.SignInAttempt;
import io.audiences.server.signin.SignIns;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of login and the app client-credentials exchange, both behind the sign-in throttle. */
public final class AuthenticationHandler implements AuthenticationApi {

    private static final HeaderName CLIENT_ID = HeaderNames.create("X-Delivr-Client-ID");
    private static final HeaderName CLIENT_SECRET = HeaderNames.create("X-Delivr-Client-Secret");

    private final CredentialService credentials;
    private final SignIns signIns;
    private final HttpIo io;

    public AuthenticationHandler(CredentialService credentials, SignIns signIns, HttpIo io) {
        this.credentials = credentials;
        this.signIns = signIns;
        this.io = io;
    }

    @Override
    public void login(ServerRequest req, ServerResponse res) {
        LoginRequestDto body = io.body(req, LoginRequestDto.class);
        SignInAttempt attempt = attempt(req, SignInAttempt.Kind.USER, body.getEmail().toLowerCase(Locale.ROOT));
        CredentialService.Token token = signIns.withPassword(attempt,
                AuditLog.carryingActor(() -> credentials.login(body.getEmail(), body.getPassword())));
        HttpIo.json(res, Status.OK_200, new LoginResponseDto()
                .token(token.token())
                .tokenType(LoginResponseDto.TokenTypeEnum.BEARER)
                .expiresIn((int) token.ttl().toSeconds())
                .userId(token.principal().subjectId())
                .organizationId(token.principal().organizationId())
                .passwordChangeRequired(token.passwordChangeRequired()));
    }

    @Override
    public void logout(ServerRequest req, ServerResponse res) {
        credentials.logout(HttpIo.principal(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void issueAppToken(ServerRequest req, ServerResponse res) {
        var clientId = req.headers().first(CLIENT_ID);
        var clientSecret = req.headers().first(CLIENT_SECRET);
        CredentialService.Token token = clientId.isEmpty() || clientSecret.isEmpty()
                ? credentials.issueAppToken(clientId, clientSecret)
                : signIns.withSecret(attempt(req, SignInAttempt.Kind.APP, clientId.get()),
                        () -> credentials.issueAppToken(clientId, clientSecret));
        HttpIo.json(res, Status.OK_200, new AppTokenEnvelopeDto().response(new AppTokenDto()
                .token(token.token())
                .tokenType(AppTokenDto.TokenTypeEnum.BEARER)
                .expiresIn((int) token.ttl().toSeconds())
                .appId(token.principal().subjectId())
                .organizationId(token.principal().organizationId())));
    }

    /** The address is the TCP peer's ({@link RequestState#clientAddress}). */
    private static SignInAttempt attempt(ServerRequest req, SignInAttempt.Kind kind, String account) {
        return new SignInAttempt(kind, account, RequestState.clientAddress(req), RequestState.require(req).requestId());
    }
}
