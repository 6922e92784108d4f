package io.audiences.server.tenancy;

import java.util.Optional;

import io.audiences.api.ProjectsService;
import io.audiences.model.EntityStatus;
import io.audiences.model.ProjectCreateRequest;
import io.audiences.model.ProjectList;
import io.audiences.model.ProjectUpdateRequest;
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
public final class ProjectsHandler implements ProjectsService {

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
        ProjectCreateRequest body = io.body(req, ProjectCreateRequest.class);
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
        HttpIo.json(res, Status.OK_200, new ProjectList()
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
        ProjectUpdateRequest body = io.body(req, ProjectUpdateRequest.class);
        Project project = tenancy.updateProject(HttpIo.principal(req), HttpIo.pathUuid(req, "project_id"),
                Optional.ofNullable(body.getName()), Optional.ofNullable(body.getStatus()).map(EntityStatus::toString),
                Preconditions.ifMatch(req));
        res.header(HeaderNames.ETAG, project.etag());
        HttpIo.json(res, Status.OK_200, dto(project));
    }

    static io.audiences.model.Project dto(Project p) {
        return new io.audiences.model.Project()
                .projectId(p.id())
                .organizationId(p.organizationId())
                .name(p.name())
                .status(EntityStatus.fromValue(p.status()))
                .createdAt(Timestamps.utc(p.createdAt()))
                .updatedAt(Timestamps.utc(p.updatedAt()));
    }
}
