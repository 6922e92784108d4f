package io.audiences.server.audiences;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.audiences.api.AudiencesService;
import io.audiences.model.AudienceCreateRequest;
import io.audiences.model.AudienceList;
import io.audiences.model.AudienceMode;
import io.audiences.model.AudienceSample;
import io.audiences.model.AudienceStatus;
import io.audiences.model.AudienceType;
import io.audiences.model.AudienceUpdateRequest;
import io.audiences.model.BucketCounts;
import io.audiences.model.FilterGroup;
import io.audiences.model.PauseReason;
import io.audiences.model.RefreshSchedule;
import io.audiences.model.SegmentationType;
import io.audiences.server.auth.SecretHash;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.results.Contact;
import io.audiences.server.results.ResultsService;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of audiences: project scoping, conditional reads and idempotent creates. */
public final class AudiencesHandler implements AudiencesService {

    private final AudienceService audiences;
    private final ResultsService results;
    private final HttpIo io;

    public AudiencesHandler(AudienceService audiences, ResultsService results, HttpIo io) {
        this.audiences = audiences;
        this.results = results;
        this.io = io;
    }

    @Override
    public void createAudience(ServerRequest req, ServerResponse res) {
        UUID project = project(req);
        Optional<String> key = req.headers().first(HeaderNames.create("Idempotency-Key"));
        if (key.isPresent() && (key.get().isEmpty() || key.get().length() > 255)) {
            throw DomainException.invalid("invalid_parameter", "Idempotency-Key", "Idempotency-Key must be 1 to 255 characters.");
        }
        AudienceCreateRequest body = io.body(req, AudienceCreateRequest.class);
        String fingerprint = SecretHash.sha256(project + "\n" + Json.JSONB.toJson(body));
        AudienceService.Created created = audiences.create(HttpIo.principal(req), project, body, key, fingerprint,
                a -> Json.JSONB.toJson(dto(a)));
        if (created.replay().isPresent()) {
            res.header("Idempotent-Replayed", "true");
            String replay = created.replay().get();
            long id = Json.JSONB.fromJson(replay, io.audiences.model.Audience.class).getId();
            res.header(HeaderNames.LOCATION, "/api/v1/audiences/" + id);
            res.status(Status.CREATED_201);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(replay.getBytes(StandardCharsets.UTF_8));
            return;
        }
        Audience audience = created.audience().orElseThrow();
        res.header(HeaderNames.ETAG, audience.etag());
        HttpIo.created(res, "/api/v1/audiences/" + audience.id(), dto(audience));
    }

    @Override
    public void listAudiences(ServerRequest req, ServerResponse res) {
        Page<Audience> page = audiences.list(HttpIo.principal(req), project(req),
                HttpIo.queryEnum(req, "status", AudienceStatus::fromValue).map(AudienceStatus::toString),
                HttpIo.queryEnum(req, "type", AudienceType::fromValue).map(AudienceType::toString),
                HttpIo.queryString(req, "cursor", 200), HttpIo.queryInt(req, "limit", 1, 200, 50));
        HttpIo.json(res, Status.OK_200, new AudienceList()
                .audiences(page.items().stream().map(AudiencesHandler::dto).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    @Override
    public void getAudience(ServerRequest req, ServerResponse res) {
        Audience audience = audiences.get(HttpIo.principal(req), project(req), audienceId(req));
        res.header(HeaderNames.ETAG, audience.etag());
        Optional<String> ifNoneMatch = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch.isPresent() && (ifNoneMatch.get().contains(audience.etag()) || "*".equals(ifNoneMatch.get().trim()))) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        HttpIo.json(res, Status.OK_200, dto(audience));
    }

    @Override
    public void updateAudience(ServerRequest req, ServerResponse res) {
        UUID project = project(req);
        AudienceUpdateRequest body = io.body(req, AudienceUpdateRequest.class);
        Audience audience = audiences.update(HttpIo.principal(req), project, audienceId(req), body);
        res.header(HeaderNames.ETAG, audience.etag());
        HttpIo.json(res, Status.OK_200, dto(audience));
    }

    @Override
    public void deleteAudience(ServerRequest req, ServerResponse res) {
        audiences.delete(HttpIo.principal(req), project(req), audienceId(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void refreshAudience(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, dto(audiences.refresh(HttpIo.principal(req), project(req), audienceId(req))));
    }

    @Override
    public void pauseAudience(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, dto(audiences.pause(HttpIo.principal(req), project(req), audienceId(req))));
    }

    @Override
    public void resumeAudience(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, dto(audiences.resume(HttpIo.principal(req), project(req), audienceId(req))));
    }

    @Override
    public void getAudienceSample(ServerRequest req, ServerResponse res) {
        int limit = HttpIo.queryInt(req, "limit", 1, 100, 10);
        Audience audience = audiences.get(HttpIo.principal(req), project(req), audienceId(req));
        List<Contact> contacts = results.sample(audience, limit);
        HttpIo.json(res, Status.OK_200, new AudienceSample()
                .contacts(contacts.stream().map(AudiencesHandler::contact).toList())
                .buildId(Long.toString(contacts.isEmpty() ? audience.currentBuildId() : contacts.getFirst().buildId())));
    }

    private static io.audiences.model.Contact contact(Contact c) {
        return new io.audiences.model.Contact()
                .recordId(c.recordId()).profileId(c.profileId())
                .firstName(c.firstName()).lastName(c.lastName()).gender(c.gender()).ageRange(c.ageRange())
                .jobTitle(c.jobTitle()).jobTitleNormalized(c.jobTitleNormalized()).department(c.department())
                .seniorityLevel(c.seniorityLevel()).personalEmail(c.personalEmail())
                .currentBusinessEmail(c.currentBusinessEmail()).linkedinUrl(c.linkedinUrl()).mobilePhone(c.mobilePhone())
                .personalCity(c.personalCity()).personalState(c.personalState()).personalStateCode(c.personalStateCode())
                .personalZip(c.personalZip()).personalCountry(c.personalCountry())
                .companyName(c.companyName()).companyDomain(c.companyDomain()).companyIndustry(c.companyIndustry())
                .companyEmployeeCount(c.companyEmployeeCount()).companyRevenue(c.companyRevenue())
                .intentFrequency(c.intentFrequency()).impressionCount(c.impressionCount());
    }

    /** The project from X-Project-Id or ?project_id= (documented: one is required, both must agree). */
    static UUID project(ServerRequest req) {
        Optional<UUID> header = HttpIo.headerUuid(req, "X-Project-Id");
        Optional<UUID> query = HttpIo.queryUuid(req, "project_id");
        if (header.isPresent() && query.isPresent() && !header.get().equals(query.get())) {
            throw DomainException.invalid("project_mismatch", "project_id", "X-Project-Id and project_id name different projects.");
        }
        return header.or(() -> query).orElseThrow(() -> DomainException.invalid("project_required", "X-Project-Id",
                "Send the project in X-Project-Id or ?project_id=."));
    }

    static long audienceId(ServerRequest req) {
        return HttpIo.pathLong(req, "audience_id", 1);
    }

    static io.audiences.model.Audience dto(Audience a) {
        return new io.audiences.model.Audience()
                .id(a.id())
                .organizationId(a.organizationId())
                .projectId(a.projectId())
                .name(a.name())
                .description(a.description())
                .type(AudienceType.fromValue(a.type()))
                .segmentationType(SegmentationType.fromValue(a.segmentationType()))
                .filter(Json.JSONB.fromJson(a.filterJson(), FilterGroup.class))
                .intentWindowDays(a.windowDays())
                .refreshSchedule(RefreshSchedule.fromValue(a.schedule()))
                .mode(AudienceMode.fromValue(a.mode()))
                .status(AudienceStatus.fromValue(a.status()))
                .error(a.error())
                .taskId(a.taskId())
                .recordCount(a.recordCount())
                .distinctProfileCount(a.distinctProfileCount())
                .bucketCounts(Json.JSONB.fromJson(a.bucketCounts(), BucketCounts.class))
                .dataThrough(a.dataThrough())
                .lastBuiltAt(Timestamps.utc(a.lastBuiltAt()))
                .renewTime(Timestamps.utc(a.renewTime()))
                .previousRenewTime(Timestamps.utc(a.previousRenewTime()))
                .pausedAt(Timestamps.utc(a.pausedAt()))
                .pauseReason(a.pauseReason() == null ? null : PauseReason.fromValue(a.pauseReason()))
                .createdAt(Timestamps.utc(a.createdAt()))
                .updatedAt(Timestamps.utc(a.updatedAt()));
    }
}
