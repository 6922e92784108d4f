package io.audiences.server.credentials;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.audiences.api.AppsApi;
import io.audiences.model.AppDto;
import io.audiences.model.AppCreateRequestDto;
import io.audiences.model.AppCreatedDto;
import io.audiences.model.AppCreatedEnvelopeDto;
import io.audiences.model.AppCreatorDto;
import io.audiences.model.AppEnvelopeDto;
import io.audiences.model.AppEnvelopeBodyDto;
import io.audiences.model.AppListBodyDto;
import io.audiences.model.AppListEnvelopeDto;
import io.audiences.model.AppSecretDto;
import io.audiences.model.AppStatusDto;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of apps. Reads carry the client_id and never the secret. */
public final class AppsHandler implements AppsApi {

    private final CredentialService credentials;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public AppsHandler(CredentialService credentials, HttpIo io, IdempotentRequests posts) {
        this.credentials = credentials;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createApp(ServerRequest req, ServerResponse res) {
        AppCreateRequestDto body = io.body(req, AppCreateRequestDto.class);
        posts.respond(req, res, Optional.empty(), body, hook -> credentials.createApp(HttpIo.principal(req), body.getName(), hook),
                AppsHandler::created);
    }

    private static Reply created(CredentialService.NewApp created) {
        return Reply.json(201, envelope(created));
    }

    /** The one answer that carries an app's secret: at creation and at rotation. */
    private static AppCreatedEnvelopeDto envelope(CredentialService.NewApp created) {
        CredentialStore.App app = created.app();
        return new AppCreatedEnvelopeDto().response(new AppCreatedDto()
                .appId(app.id())
                .name(app.name())
                .status(AppStatusDto.fromValue(app.status()))
                .clientId(app.clientId())
                .clientSecret(created.clientSecret())
                .createdAt(Timestamps.legacy(app.createdAt())));
    }

    @Override
    public void deleteApp(ServerRequest req, ServerResponse res) {
        credentials.deleteApp(HttpIo.principal(req), HttpIo.pathUuid(req, "app_id"), Preconditions.ifMatch(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void rotateAppSecret(ServerRequest req, ServerResponse res) {
        UUID appId = HttpIo.pathUuid(req, "app_id");
        posts.<CredentialService.NewApp>respond(req, res, Optional.empty(), null,
                hook -> credentials.rotateAppSecret(HttpIo.principal(req), appId, hook),
                rotated -> Reply.json(200, envelope(rotated)));
    }

    @Override
    public void listApps(ServerRequest req, ServerResponse res) {
        CredentialService.Listing<CredentialStore.App> listing = credentials.apps(HttpIo.principal(req),
                HttpIo.queryString(req, "cursor", 200), HttpIo.queryInt(req, "limit", 1, 200, 100));
        HttpIo.json(res, Status.OK_200, new AppListEnvelopeDto().response(new AppListBodyDto()
                .apps(listing.page().items().stream().map(AppsHandler::dto).toList()).total((int) listing.total())
                .nextCursor(listing.page().nextCursor().orElse(null))));
    }

    @Override
    public void getApp(ServerRequest req, ServerResponse res) {
        CredentialStore.App app = credentials.app(HttpIo.principal(req), HttpIo.pathUuid(req, "app_id"));
        res.header(HeaderNames.ETAG, app.etag());
        HttpIo.json(res, Status.OK_200, new AppEnvelopeDto().response(new AppEnvelopeBodyDto().app(dto(app))));
    }

    private static AppDto dto(CredentialStore.App a) {
        return new AppDto()
                .appId(a.id())
                .name(a.name())
                .status(AppStatusDto.fromValue(a.status()))
                .createdByUser(a.creator().map(u -> new AppCreatorDto()
                        .userId(u.id()).firstName(u.firstName()).lastName(u.lastName()).email(u.email())).orElse(null))
                .secret(new AppSecretDto().clientId(a.clientId()))
                .createdAt(Timestamps.legacy(a.createdAt()))
                .updatedAt(Timestamps.legacy(a.updatedAt()));
    }
}
