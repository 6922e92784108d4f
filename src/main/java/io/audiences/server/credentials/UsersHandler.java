package io.audiences.server.credentials;

import java.util.Optional;
import java.util.UUID;

import io.audiences.api.UsersService;
import io.audiences.model.PasswordChangeRequest;
import io.audiences.model.User;
import io.audiences.model.UserCreateRequest;
import io.audiences.model.UserCreated;
import io.audiences.model.UserStatus;
import io.audiences.model.UserUpdateRequest;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
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
                .createdAt(Timestamps.utc(user.createdAt()))).withEtag(user.etag());
    }

    @Override
    public void changePassword(ServerRequest req, ServerResponse res) {
        PasswordChangeRequest body = io.body(req, PasswordChangeRequest.class);
        credentials.changePassword(HttpIo.principal(req), body.getCurrentPassword(), body.getNewPassword());
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void updateUser(ServerRequest req, ServerResponse res) {
        UUID userId = HttpIo.pathUuid(req, "user_id");
        UserUpdateRequest body = io.body(req, UserUpdateRequest.class);
        CredentialStore.User user = credentials.setUserStatus(HttpIo.principal(req), userId, body.getStatus().toString(),
                Preconditions.ifMatch(req));
        res.header(HeaderNames.ETAG, user.etag());
        HttpIo.json(res, Status.OK_200, new User()
                .userId(user.id())
                .email(user.email())
                .firstName(user.firstName())
                .lastName(user.lastName())
                .organizationId(user.organizationId())
                .status(UserStatus.fromValue(user.status()))
                .createdAt(Timestamps.utc(user.createdAt())));
    }

    @Override
    public void deleteUser(ServerRequest req, ServerResponse res) {
        credentials.deleteUser(HttpIo.principal(req), HttpIo.pathUuid(req, "user_id"), Preconditions.ifMatch(req));
        res.status(Status.NO_CONTENT_204).send();
    }
}
