package io.audiences.server.credentials;

import java.util.Optional;

import io.audiences.api.UsersService;
import io.audiences.model.UserCreateRequest;
import io.audiences.model.UserCreated;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Timestamps;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of users. */
public final class UsersHandler implements UsersService {

    private final CredentialService credentials;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public UsersHandler(CredentialService credentials, HttpIo io, IdempotentRequests posts) {
        this.credentials = credentials;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createUser(ServerRequest req, ServerResponse res) {
        UserCreateRequest body = io.body(req, UserCreateRequest.class);
        posts.respond(req, res, Optional.empty(), body,
                hook -> credentials.createUser(HttpIo.principal(req), body.getEmail(), body.getFirstName(), body.getLastName(),
                        Optional.ofNullable(body.getOrganizationId()), Optional.ofNullable(body.getPassword()), hook),
                UsersHandler::created);
    }

    private static Reply created(CredentialService.NewUser created) {
        CredentialStore.User user = created.user();
        return Reply.json(201, new UserCreated()
                .userId(user.id())
                .email(user.email())
                .firstName(user.firstName())
                .lastName(user.lastName())
                .organizationId(user.organizationId())
                .password(created.generatedPassword().orElse(null))
                .createdAt(Timestamps.utc(user.createdAt())));
    }
}
