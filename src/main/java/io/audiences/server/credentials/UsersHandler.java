package io.audiences.server.credentials;

import java.util.Optional;
import java.util.UUID;

import io.audiences.api.UsersApi;
import io.audiences.model.PasswordChangeRequestDto;
import io.audiences.model.UserDto;
import io.audiences.model.UserCreateRequestDto;
import io.audiences.model.UserCreatedDto;
import io.audiences.model.UserStatusDto;
import io.audiences.model.UserUpdateRequestDto;
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
public final class UsersHandler implements UsersApi {

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
        UserCreateRequestDto body = io.body(req, UserCreateRequestDto.class);
        posts.respond(req, res, Optional.empty(), body,
                hook -> credentials.createUser(HttpIo.principal(req), body.getEmail(), body.getFirstName(), body.getLastName(),
                        Optional.ofNullable(body.getOrganizationId()), Optional.ofNullable(body.getPassword()), hook),
                UsersHandler::created);
    }

    private static Reply created(CredentialService.NewUser created) {
        CredentialStore.User user = created.user();
        return Reply.json(201, new UserCreatedDto()
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
        PasswordChangeRequestDto body = io.body(req, PasswordChangeRequestDto.class);
        credentials.changePassword(HttpIo.principal(req), body.getCurrentPassword(), body.getNewPassword());
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void updateUser(ServerRequest req, ServerResponse res) {
        UUID userId = HttpIo.pathUuid(req, "user_id");
        UserUpdateRequestDto body = io.body(req, UserUpdateRequestDto.class);
        CredentialStore.User user = credentials.setUserStatus(HttpIo.principal(req), userId, body.getStatus().toString(),
                Preconditions.ifMatch(req));
        res.header(HeaderNames.ETAG, user.etag());
        HttpIo.json(res, Status.OK_200, new UserDto()
                .userId(user.id())
                .email(user.email())
                .firstName(user.firstName())
                .lastName(user.lastName())
                .organizationId(user.organizationId())
                .status(UserStatusDto.fromValue(user.status()))
                .createdAt(Timestamps.utc(user.createdAt())));
    }

    @Override
    public void deleteUser(ServerRequest req, ServerResponse res) {
        credentials.deleteUser(HttpIo.principal(req), HttpIo.pathUuid(req, "user_id"), Preconditions.ifMatch(req));
        res.status(Status.NO_CONTENT_204).send();
    }
}
