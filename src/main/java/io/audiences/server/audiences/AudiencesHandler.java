package io.audiences.server.audiences;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.api.AudiencesApi;
import io.audiences.model.AudienceDto.PauseReasonEnum;
import io.audiences.model.AudienceCreateRequestDto;
import io.audiences.model.AudienceDto;
import io.audiences.model.AudienceListDto;
import io.audiences.model.AudienceModeDto;
import io.audiences.model.AudienceSampleDto;
import io.audiences.model.AudienceSortDto;
import io.audiences.model.AudienceStatusDto;
import io.audiences.model.AudienceTypeDto;
import io.audiences.model.AudienceUpdateRequestDto;
import io.audiences.model.BucketCountsDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.model.RefreshScheduleDto;
import io.audiences.model.SegmentationTypeDto;
import io.audiences.server.builds.BuildStatus;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.metrics.ServerMetrics;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Preconditions;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.ResponseBody;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.results.AudienceContacts;
import io.audiences.server.results.Contact;
import io.audiences.server.results.ExportFormat;
import io.audiences.server.results.ResultsService;
import io.audiences.server.results.Transfer;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import tools.jackson.databind.JsonNode;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/** HTTP face of audiences: project scoping, conditional reads and idempotent state changes. */
public final class AudiencesHandler implements AudiencesApi {

    private static final Logger LOG = Logger.getLogger(AudiencesHandler.class.getName());
    private static final HeaderName PROJECT_ID = HeaderNames.create("X-Project-Id");

    private final AudienceService audiences;
    private final ResultsService results;
    private final HttpIo io;
    private final IdempotentRequests posts;
    private final ServerMetrics metrics;
    /**
     * The JSON of an audience as {@code GET} answers it, keyed by its id and version: rendering it (parsing the stored
     * filter and bucket counts, then JSON-B) took about a third of the CPU of an authenticated read in the profile of
     * {@code bin/bench --get}. Every write of an audience bumps its version, so a changed audience is simply another
     * key: the cache needs no invalidation, only a bound on the characters it holds. A read whose version is cached
     * reads only that version ({@link AudienceService#knownVersion}), not the whole row.
     */
    private final Cache<Version, String> rendered = Caffeine.newBuilder().maximumWeight(16L << 20)
            .weigher((Version v, String json) -> json.length()).build();

    private record Version(long id, long version) { }

    /** @param metrics counts the bytes and rows downloads send */
    public AudiencesHandler(AudienceService audiences, ResultsService results, HttpIo io, IdempotentRequests posts,
                            ServerMetrics metrics) {
        this.audiences = audiences;
        this.results = results;
        this.io = io;
        this.posts = posts;
        this.metrics = metrics;
    }

    @Override
    public void createAudience(ServerRequest req, ServerResponse res) {
        UUID project = project(req);
        AudienceCreateRequestDto body = io.body(req, AudienceCreateRequestDto.class, node -> {
            JsonNode type = node.get("type");
            AudienceService.requireSupportedType(type == null || !type.isString() ? null : type.asString());
        });
        posts.respond(req, res, Optional.of(project), body,
                hook -> audiences.create(HttpIo.principal(req), project, body, hook),
                AudiencesHandler::created);
    }

    private static Reply created(Audience a) {
        return Reply.json(201, dto(a)).withLocation("/api/v1/audiences/" + a.id()).withEtag(a.etag());
    }

    @Override
    public void listAudiences(ServerRequest req, ServerResponse res) {
        Page<Audience> page = audiences.list(HttpIo.principal(req), project(req),
                HttpIo.queryEnum(req, "status", AudienceStatusDto::fromValue).map(st -> BuildStatus.of(st.toString())),
                HttpIo.queryEnum(req, "type", AudienceTypeDto::fromValue).map(t -> Audience.Type.of(t.toString())),
                nameFilter(req),
                HttpIo.queryEnum(req, "sort", AudienceSortDto::fromValue).map(s -> AudienceStore.Order.of(s.toString()))
                        .orElse(AudienceStore.Order.CREATED),
                HttpIo.queryString(req, "cursor", 1200), HttpIo.queryInt(req, "limit", 1, 200, 50));
        HttpIo.json(res, Status.OK_200, new AudienceListDto()
                .audiences(page.items().stream().map(AudiencesHandler::dto).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    private static Optional<String> nameFilter(ServerRequest req) {
        Optional<String> name = HttpIo.queryString(req, "name", 200);
        if (name.isPresent() && name.get().isEmpty()) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "name", "name must not be empty.");
        }
        return name;
    }

    @Override
    public void getAudience(ServerRequest req, ServerResponse res) {
        Principal caller = HttpIo.principal(req);
        UUID project = project(req);
        long id = audienceId(req);
        OptionalLong known = audiences.knownVersion(caller, project, id);
        String json = known.isPresent() ? rendered.getIfPresent(new Version(id, known.getAsLong())) : null;
        long version;
        if (json == null) {
            Audience audience = audiences.get(caller, project, id);
            version = audience.version();
            json = rendered.get(new Version(id, version), v -> Json.JSONB.toJson(dto(audience)));
        } else {
            version = known.getAsLong();
        }
        String etag = Preconditions.etag(id, version);
        res.header(HeaderNames.ETAG, etag);
        Optional<String> ifNoneMatch = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch.isPresent() && (ifNoneMatch.get().contains(etag) || "*".equals(ifNoneMatch.get().trim()))) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        HttpIo.jsonText(res, Status.OK_200, json);
    }

    @Override
    public void updateAudience(ServerRequest req, ServerResponse res) {
        UUID project = project(req);
        AudienceUpdateRequestDto body = io.body(req, AudienceUpdateRequestDto.class);
        Audience audience = audiences.update(HttpIo.principal(req), project, audienceId(req), body, ifMatch(req));
        res.header(HeaderNames.ETAG, audience.etag());
        HttpIo.json(res, Status.OK_200, dto(audience));
    }

    private static Optional<String> ifMatch(ServerRequest req) {
        Optional<String> value = req.headers().first(HeaderNames.IF_MATCH);
        if (value.isPresent() && (value.get().isBlank() || value.get().length() > 200)) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "If-Match", "If-Match must be an ETag (or *) of at most 200 characters.");
        }
        return value;
    }

    @Override
    public void deleteAudience(ServerRequest req, ServerResponse res) {
        long id = audienceId(req);
        audiences.delete(HttpIo.principal(req), project(req), id, ifMatch(req));
        try {
            results.discard(id);
        } catch (IOException e) {
            // The audience is gone; its files are unreachable and go with the cache's next pruning.
            LOG.log(Level.WARNING, "renderings of deleted audience " + id + " not removed", e);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    @Override
    public void refreshAudience(ServerRequest req, ServerResponse res) {
        transition(req, res, audiences::refresh);
    }

    @Override
    public void pauseAudience(ServerRequest req, ServerResponse res) {
        transition(req, res, audiences::pause);
    }

    @Override
    public void resumeAudience(ServerRequest req, ServerResponse res) {
        transition(req, res, audiences::resume);
    }

    /** Refresh, pause or resume of one audience: no body, answers 200 with the audience after the change. */
    @FunctionalInterface
    private interface Transition {
        Audience apply(Principal caller, UUID projectId, long id, TransactionHook<Audience> hook);
    }

    private void transition(ServerRequest req, ServerResponse res, Transition transition) {
        UUID project = project(req);
        long id = audienceId(req);
        posts.respond(req, res, Optional.of(project), null,
                hook -> transition.apply(HttpIo.principal(req), project, id, hook), AudiencesHandler::changed);
    }

    private static Reply changed(Audience a) {
        return Reply.json(200, dto(a));
    }

    @Override
    public void getAudienceSample(ServerRequest req, ServerResponse res) {
        int limit = HttpIo.queryInt(req, "limit", 1, 100, 10);
        Audience audience = audiences.get(HttpIo.principal(req), project(req), audienceId(req));
        List<Contact> contacts = results.sample(audience.snapshot(), limit);
        HttpIo.json(res, Status.OK_200, new AudienceSampleDto()
                .contacts(contacts.stream().map(AudienceContacts::dto).toList())
                .buildId(Long.toString(contacts.isEmpty() ? audience.counts().currentBuildId() : contacts.getFirst().buildId())));
    }

    @Override
    public void downloadAudience(ServerRequest req, ServerResponse res) {
        long limit = HttpIo.queryLong(req, "record_limit", 0, 10_000_000, 0);
        List<String> columns = HttpIo.queryList(req, "columns", 40, 64);
        Audience audience = audiences.get(HttpIo.principal(req), project(req), audienceId(req));
        ResultsService.Download download = results.download(audience.snapshot(), limit, format(req), columns);
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
        res.header(HeaderNames.VARY, "Accept-Encoding");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + download.fileName() + "\"");
        res.header("X-Audience-Build-Id", Long.toString(download.buildId()));
        Transfer.Conditions conditions = new Transfer.Conditions(ResponseBody.head(),
                req.headers().first(HeaderNames.RANGE), req.headers().first(HeaderNames.IF_RANGE), HttpIo.acceptsGzip(req));
        try (Transfer transfer = Transfer.negotiate(results, download, conditions)) {
            res.status(Status.create(transfer.status()));
            res.header(HeaderNames.ETAG, transfer.etag());
            res.header(HeaderNames.CONTENT_TYPE, transfer.mediaType());
            transfer.contentLength().ifPresent(n -> res.header(HeaderNames.CONTENT_LENGTH, Long.toString(n)));
            transfer.contentRange().ifPresent(r -> res.header(HeaderNames.CONTENT_RANGE, r));
            if (transfer.gzip()) {
                res.header(HeaderNames.CONTENT_ENCODING, "gzip");
            }
            if (!transfer.hasBody()) {
                res.send();
                return;
            }
            // Counted as sent: compressed bytes when gzip.
            try (OutputStream out = metrics.countingDownload(res.outputStream())) {
                transfer.writeTo(out);
            }
            if (transfer.whole()) {
                // Sent in full (a cut transfer threw above): the snapshot's rows, up to the record limit.
                long rows = audience.counts().recordCount();
                metrics.downloadRows(limit > 0 ? Math.min(limit, rows) : rows);
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away mid-transfer; it resumes with Range + If-Range.
            LOG.fine(() -> "download of audience " + audience.id() + " interrupted: " + e.getMessage());
        }
    }

    private static ExportFormat format(ServerRequest req) {
        String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
        return accept.contains("application/x-ndjson") && !accept.contains("text/csv") ? ExportFormat.NDJSON : ExportFormat.CSV;
    }

    /** The project from X-Project-Id or ?project_id= (documented: one is required, both must agree). */
    static UUID project(ServerRequest req) {
        Optional<UUID> header = HttpIo.headerUuid(req, PROJECT_ID);
        Optional<UUID> query = HttpIo.queryUuid(req, "project_id");
        if (header.isPresent() && query.isPresent() && !header.get().equals(query.get())) {
            throw DomainException.invalid(ErrorCode.PROJECT_MISMATCH, "project_id", "X-Project-Id and project_id name different projects.");
        }
        return header.or(() -> query).orElseThrow(() -> DomainException.invalid(ErrorCode.PROJECT_REQUIRED, "X-Project-Id",
                "Send the project in X-Project-Id or ?project_id=."));
    }

    static long audienceId(ServerRequest req) {
        return HttpIo.pathLong(req, "audience_id", 1);
    }

    static AudienceDto dto(Audience a) {
        return new AudienceDto()
                .id(a.id())
                .organizationId(a.organizationId())
                .projectId(a.projectId())
                .name(a.definition().name())
                .description(a.definition().description())
                .type(AudienceTypeDto.fromValue(a.definition().type().value()))
                .segmentationType(SegmentationTypeDto.fromValue(a.definition().segmentationType().label()))
                .filter(Json.JSONB.fromJson(a.definition().filterJson(), FilterGroupDto.class))
                .intentWindowDays(a.definition().windowDays())
                .refreshSchedule(RefreshScheduleDto.fromValue(a.definition().schedule().value()))
                .mode(AudienceModeDto.fromValue(a.definition().mode().value()))
                .status(AudienceStatusDto.fromValue(a.progress().status().label()))
                .error(a.progress().error())
                .taskId(a.progress().taskId())
                .recordCount(a.counts().recordCount())
                .distinctProfileCount(a.counts().distinctProfileCount())
                .bucketCounts(Json.JSONB.fromJson(a.counts().bucketCounts(), BucketCountsDto.class))
                .dataThrough(a.counts().dataThrough())
                .lastBuiltAt(Timestamps.utc(a.counts().lastBuiltAt()))
                .renewTime(Timestamps.utc(a.renewal().renewTime()))
                .previousRenewTime(Timestamps.utc(a.renewal().previousRenewTime()))
                .pausedAt(Timestamps.utc(a.renewal().pausedAt()))
                .pauseReason(a.renewal().pauseReason() == null ? null : PauseReasonEnum.valueOf(a.renewal().pauseReason().name()))
                .createdAt(Timestamps.utc(a.createdAt()))
                .updatedAt(Timestamps.utc(a.updatedAt()));
    }
}
