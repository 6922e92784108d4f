package io.audiences.server.credentials;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import io.audiences.api.ApiClientsService;
import io.audiences.model.ApiClientCreateRequest;
import io.audiences.model.ApiClientCreated;
import io.audiences.model.ApiClientList;
import io.audiences.model.ApiClientStatus;
import io.audiences.model.ApiClientUpdateRequest;
import io.audiences.model.ApiKey;
import io.audiences.model.ApiKeyCreated;
import io.audiences.model.ApiKeyRotateRequest;
import io.audiences.model.ApiKeyScope;
import io.audiences.model.ApiKeyStatus;
import io.audiences.model.ModelApiClient;
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
public final class ApiClientsHandler implements ApiClientsService {

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
        ApiClientCreateRequest body = io.body(req, ApiClientCreateRequest.class);
        ApiKeyScope scope = body.getScope() == null ? ApiKeyScope.READ_WRITE : body.getScope();
        posts.respond(req, res, Optional.empty(), body, hook -> credentials.createClient(HttpIo.principal(req), body.getName(),
                body.getSecretEnforced() == null || body.getSecretEnforced(), scope.toString(), hook), ApiClientsHandler::created);
    }

    private static Reply created(CredentialService.NewClient created) {
        CredentialService.NewKey key = created.key();
        return Reply.json(201, new ApiClientCreated()
                .clientId(created.client().id())
                .name(created.client().name())
                .status(ApiClientStatus.ACTIVE)
                .secretEnforced(created.client().secretEnforced())
                .scope(ApiKeyScope.fromValue(created.client().scope()))
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
        List<ModelApiClient> clients = listing.page().items().stream()
                .map(c -> client(c, keys.getOrDefault(c.id(), List.of()))).toList();
        HttpIo.json(res, Status.OK_200, new ApiClientList().clients(clients).total((int) listing.total())
                .nextCursor(listing.page().nextCursor().orElse(null)));
    }

    @Override
    public void updateApiClient(ServerRequest req, ServerResponse res) {
        Principal caller = HttpIo.principal(req);
        UUID clientId = HttpIo.pathUuid(req, "client_id");
        ApiClientUpdateRequest body = io.body(req, ApiClientUpdateRequest.class);
        CredentialStore.Client client = credentials.updateSecretEnforced(caller, clientId, body.getSecretEnforced(),
                Preconditions.ifMatch(req));
        List<CredentialStore.Key> keys = credentials.keys(caller).stream().filter(k -> k.clientId().equals(clientId)).toList();
        res.header(HeaderNames.ETAG, client.etag());
        HttpIo.json(res, Status.OK_200, client(client, keys));
    }

    /** A client as listed, with its keys (prefixes only). */
    private static ModelApiClient client(CredentialStore.Client c, List<CredentialStore.Key> keys) {
        return new ModelApiClient()
                .clientId(c.id())
                .name(c.name())
                .status(ApiClientStatus.ACTIVE)
                .secretEnforced(c.secretEnforced())
                .scope(ApiKeyScope.fromValue(c.scope()))
                .createdAt(Timestamps.legacy(c.createdAt()))
                .apiKeys(keys.stream().map(ApiClientsHandler::key).toList());
    }

    @Override
    public void rotateApiKey(ServerRequest req, ServerResponse res) {
        UUID clientId = HttpIo.pathUuid(req, "client_id");
        Optional<ApiKeyRotateRequest> body = io.optionalBody(req, ApiKeyRotateRequest.class);
        boolean revokeExisting = body.map(ApiKeyRotateRequest::getRevokeExisting).map(Boolean.TRUE::equals).orElse(true);
        posts.respond(req, res, Optional.empty(), body.orElse(null),
                hook -> credentials.rotateKey(HttpIo.principal(req), clientId, revokeExisting, hook), ApiClientsHandler::rotated);
    }

    private static Reply rotated(CredentialService.NewKey key) {
        return Reply.json(201, new ApiKeyCreated()
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

    private static ApiKey key(CredentialStore.Key k) {
        return new ApiKey()
                .keyId(k.id())
                .keyPrefix(k.prefix())
                .status(ApiKeyStatus.fromValue(k.status()))
                .createdAt(Timestamps.legacy(k.createdAt()))
                .lastUsedAt(Timestamps.legacy(k.lastUsedAt()))
                .revokedAt(Timestamps.legacy(k.revokedAt()));
    }
}
