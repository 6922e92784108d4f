package io.audiences.server.tenancy;

import java.util.Optional;

import io.audiences.api.OrganizationsApi;
import io.audiences.model.EntityStatusDto;
import io.audiences.model.OrganizationCreateRequestDto;
import io.audiences.model.OrganizationDto;
import io.audiences.model.OrganizationListDto;
import io.audiences.model.OrganizationUpdateRequestDto;
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

/** HTTP face of organizations. */
public final class OrganizationsHandler implements OrganizationsApi {

    private final TenancyService tenancy;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public OrganizationsHandler(TenancyService tenancy, HttpIo io, IdempotentRequests posts) {
        this.tenancy = tenancy;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createOrganization(ServerRequest req, ServerResponse res) {
        OrganizationCreateRequestDto body = io.body(req, OrganizationCreateRequestDto.class);
        posts.respond(req, res, Optional.empty(), body,
                hook -> tenancy.createOrganization(HttpIo.principal(req), body.getName(),
                        Optional.ofNullable(body.getParentOrganizationId()), hook),
                OrganizationsHandler::created);
    }

    private static Reply created(Organization org) {
        return Reply.json(201, dto(org)).withLocation("/api/v1/organizations/" + org.id());
    }

    @Override
    public void listOrganizations(ServerRequest req, ServerResponse res) {
        Page<Organization> page = tenancy.organizations(HttpIo.principal(req), HttpIo.queryString(req, "cursor", 200),
                HttpIo.queryInt(req, "limit", 1, 200, 50));
        HttpIo.json(res, Status.OK_200, new OrganizationListDto()
                .organizations(page.items().stream().map(OrganizationsHandler::dto).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    @Override
    public void getOrganization(ServerRequest req, ServerResponse res) {
        Organization org = tenancy.organization(HttpIo.principal(req), HttpIo.pathUuid(req, "organization_id"));
        res.header(HeaderNames.ETAG, org.etag());
        HttpIo.json(res, Status.OK_200, dto(org));
    }

    @Override
    public void updateOrganization(ServerRequest req, ServerResponse res) {
        OrganizationUpdateRequestDto body = io.body(req, OrganizationUpdateRequestDto.class);
        Organization org = tenancy.updateOrganization(HttpIo.principal(req), HttpIo.pathUuid(req, "organization_id"),
                Optional.ofNullable(body.getName()), Optional.ofNullable(body.getStatus()).map(EntityStatusDto::toString),
                Preconditions.ifMatch(req));
        res.header(HeaderNames.ETAG, org.etag());
        HttpIo.json(res, Status.OK_200, dto(org));
    }

    static OrganizationDto dto(Organization o) {
        return new OrganizationDto()
                .organizationId(o.id())
                .name(o.name())
                .parentOrganizationId(o.parentId())
                .enterpriseId(o.enterpriseId())
                .status(EntityStatusDto.fromValue(o.status()))
                .createdAt(Timestamps.utc(o.createdAt()))
                .updatedAt(Timestamps.utc(o.updatedAt()));
    }
}
