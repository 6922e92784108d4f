package io.audiences.server.credentials;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import io.audiences.api.ApiClientsApi;
import io.audiences.model.ApiClientCreateRequestDto;
import io.audiences.model.ApiClientCreatedDto;
import io.audiences.model.ApiClientListDto;
import io.audiences.model.ApiClientStatusDto;
import io.audiences.model.ApiClientUpdateRequestDto;
import io.audiences.model.ApiKeyDto;
import io.audiences.model.ApiKeyCreatedDto;
import io.audiences.model.ApiKeyRotateRequestDto;
import io.audiences.model.ApiKeyScopeDto;
import io.audiences.model.ApiKeyStatusDto;
import io.audiences.model.ApiClientDto;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of API clients and their keys. */
public final class ApiClientsHandler implements ApiClientsApi {

    private final CredentialService credentials;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public ApiClientsHandler(CredentialService credentials, HttpIo io, IdempotentRequests posts) {
        this.credentials = credentials;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createApiClient(ServerRequest req, ServerResponse res) {
        ApiClientCreateRequestDto body = io.body(req, ApiClientCreateRequestDto.class);
        ApiKeyScopeDto scope = body.getScope() == null ? ApiKeyScopeDto.READ_WRITE : body.getScope();
        posts.respond(req, res, Optional.empty(), body, hook -> credentials.createClient(HttpIo.principal(req), body.getName(),
                body.getSecretEnforced() == null || body.getSecretEnforced(), scope.toString(), hook), ApiClientsHandler::created);
    }

    private static Reply created(CredentialService.NewClient created) {
        CredentialService.NewKey key = created.key();
        return Reply.json(201, new ApiClientCreatedDto()
                .clientId(created.client().id())
                .name(created.client().name())
                .status(ApiClientStatusDto.ACTIVE)
                .secretEnforced(created.client().secretEnforced())
                .scope(ApiKeyScopeDto.fromValue(created.client().scope()))
                .keyId(key.keyId())
                .keyPrefix(key.prefix())
                .apiKey(key.apiKey())
                .apiSecret(key.apiSecret())
                .createdAt(Timestamps.legacy(created.client().createdAt()))).withEtag(created.client().etag());
    }

    @Override
    public void listApiClients(ServerRequest req, ServerResponse res) {
        Principal caller = HttpIo.principal(req);
        Map<UUID, List<CredentialStore.Key>> keys = credentials.keys(caller).stream()
                .collect(Collectors.groupingBy(CredentialStore.Key::clientId));
        CredentialService.Listing<CredentialStore.Client> listing = credentials.clients(caller,
                HttpIo.queryString(req, "cursor", 200), HttpIo.queryInt(req, "limit", 1, 200, 100));
        List<ApiClientDto> clients = listing.page().items().stream()
                .map(c -> client(c, keys.getOrDefault(c.id(), List.of()))).toList();
        HttpIo.json(res, Status.OK_200, new ApiClientListDto().clients(clients).total((int) listing.total())
                .nextCursor(listing.page().nextCursor().orElse(null)));
    }

    @Override
    public void updateApiClient(ServerRequest req, ServerResponse res) {
        Principal caller = HttpIo.principal(req);
        UUID clientId = HttpIo.pathUuid(req, "client_id");
        ApiClientUpdateRequestDto body = io.body(req, ApiClientUpdateRequestDto.class);
        CredentialStore.Client client = credentials.updateSecretEnforced(caller, clientId, body.getSecretEnforced(),
                Preconditions.ifMatch(req));
        List<CredentialStore.Key> keys = credentials.keys(caller).stream().filter(k -> k.clientId().equals(clientId)).toList();
        res.header(HeaderNames.ETAG, client.etag());
        HttpIo.json(res, Status.OK_200, client(client, keys));
    }

    /** A client as listed, with its keys (prefixes only). */
    private static ApiClientDto client(CredentialStore.Client c, List<CredentialStore.Key> keys) {
        return new ApiClientDto()
                .clientId(c.id())
                .name(c.name())
                .status(ApiClientStatusDto.ACTIVE)
                .secretEnforced(c.secretEnforced())
                .scope(ApiKeyScopeDto.fromValue(c.scope()))
                .createdAt(Timestamps.legacy(c.createdAt()))
                .apiKeys(keys.stream().map(ApiClientsHandler::key).toList());
    }

    @Override
    public void rotateApiKey(ServerRequest req, ServerResponse res) {
        UUID clientId = HttpIo.pathUuid(req, "client_id");
        Optional<ApiKeyRotateRequestDto> body = io.optionalBody(req, ApiKeyRotateRequestDto.class);
        boolean revokeExisting = body.map(ApiKeyRotateRequestDto::getRevokeExisting).map(Boolean.TRUE::equals).orElse(true);
        posts.respond(req, res, Optional.empty(), body.orElse(null),
                hook -> credentials.rotateKey(HttpIo.principal(req), clientId, revokeExisting, hook), ApiClientsHandler::rotated);
    }

    private static Reply rotated(CredentialService.NewKey key) {
        return Reply.json(201, new ApiKeyCreatedDto()
                .clientId(key.clientId())
                .keyId(key.keyId())
                .keyPrefix(key.prefix())
                .apiKey(key.apiKey())
                .apiSecret(key.apiSecret())
                .createdAt(Timestamps.legacy(key.createdAt()))
                .revokedKeyIds(key.revokedKeyIds()));
    }

    @Override
    public void revokeApiKey(ServerRequest req, ServerResponse res) {
        credentials.revokeKey(HttpIo.principal(req), HttpIo.pathUuid(req, "client_id"), HttpIo.pathUuid(req, "key_id"));
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void deleteApiClient(ServerRequest req, ServerResponse res) {
        credentials.deleteClient(HttpIo.principal(req), HttpIo.pathUuid(req, "client_id"), Preconditions.ifMatch(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static ApiKeyDto key(CredentialStore.Key k) {
        return new ApiKeyDto()
                .keyId(k.id())
                .keyPrefix(k.prefix())
                .status(ApiKeyStatusDto.fromValue(k.status()))
                .createdAt(Timestamps.legacy(k.createdAt()))
                .lastUsedAt(Timestamps.legacy(k.lastUsedAt()))
                .revokedAt(Timestamps.legacy(k.revokedAt()));
    }
}
