package io.audiences.server.tenancy;

import java.util.Optional;

import io.audiences.api.ProjectsApi;
import io.audiences.model.EntityStatusDto;
import io.audiences.model.ProjectCreateRequestDto;
import io.audiences.model.ProjectDto;
import io.audiences.model.ProjectListDto;
import io.audiences.model.ProjectUpdateRequestDto;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of projects. */
public final class ProjectsHandler implements ProjectsApi {

    private final TenancyService tenancy;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public ProjectsHandler(TenancyService tenancy, HttpIo io, IdempotentRequests posts) {
        this.tenancy = tenancy;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createProject(ServerRequest req, ServerResponse res) {
        ProjectCreateRequestDto body = io.body(req, ProjectCreateRequestDto.class);
        posts.respond(req, res, Optional.empty(), body,
                hook -> tenancy.createProject(HttpIo.principal(req), body.getName(), Optional.ofNullable(body.getOrganizationId()),
                        hook),
                ProjectsHandler::created);
    }

    private static Reply created(Project project) {
        return Reply.json(201, dto(project)).withLocation("/api/v1/projects/" + project.id());
    }

    @Override
    public void listProjects(ServerRequest req, ServerResponse res) {
        Page<Project> page = tenancy.projects(HttpIo.principal(req), HttpIo.queryUuid(req, "organization_id"),
                HttpIo.queryString(req, "cursor", 200), HttpIo.queryInt(req, "limit", 1, 200, 50));
        HttpIo.json(res, Status.OK_200, new ProjectListDto()
                .projects(page.items().stream().map(ProjectsHandler::dto).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    @Override
    public void getProject(ServerRequest req, ServerResponse res) {
        Project project = tenancy.project(HttpIo.principal(req), HttpIo.pathUuid(req, "project_id"));
        res.header(HeaderNames.ETAG, project.etag());
        HttpIo.json(res, Status.OK_200, dto(project));
    }

    @Override
    public void updateProject(ServerRequest req, ServerResponse res) {
        ProjectUpdateRequestDto body = io.body(req, ProjectUpdateRequestDto.class);
        Project project = tenancy.updateProject(HttpIo.principal(req), HttpIo.pathUuid(req, "project_id"),
                Optional.ofNullable(body.getName()), Optional.ofNullable(body.getStatus()).map(EntityStatusDto::toString),
                Preconditions.ifMatch(req));
        res.header(HeaderNames.ETAG, project.etag());
        HttpIo.json(res, Status.OK_200, dto(project));
    }

    static ProjectDto dto(Project p) {
        return new ProjectDto()
                .projectId(p.id())
                .organizationId(p.organizationId())
                .name(p.name())
                .status(EntityStatusDto.fromValue(p.status()))
                .createdAt(Timestamps.utc(p.createdAt()))
                .updatedAt(Timestamps.utc(p.updatedAt()));
    }
}
