package io.audiences.server.audiences;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

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
import io.audiences.server.auth.Principal;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.idempotency.Reply;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Json;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Timestamps;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.results.AudienceContacts;
import io.audiences.server.results.Contact;
import io.audiences.server.results.ExportFormat;
import io.audiences.server.results.ResultsService;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of audiences: project scoping, conditional reads and idempotent state changes. */
public final class AudiencesHandler implements AudiencesService {

    private static final Logger LOG = Logger.getLogger(AudiencesHandler.class.getName());

    private final AudienceService audiences;
    private final ResultsService results;
    private final HttpIo io;
    private final IdempotentRequests posts;

    public AudiencesHandler(AudienceService audiences, ResultsService results, HttpIo io, IdempotentRequests posts) {
        this.audiences = audiences;
        this.results = results;
        this.io = io;
        this.posts = posts;
    }

    @Override
    public void createAudience(ServerRequest req, ServerResponse res) {
        UUID project = project(req);
        AudienceCreateRequest body = io.body(req, AudienceCreateRequest.class);
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
        List<Contact> contacts = results.sample(audience, limit);
        HttpIo.json(res, Status.OK_200, new AudienceSample()
                .contacts(contacts.stream().map(AudienceContacts::dto).toList())
                .buildId(Long.toString(contacts.isEmpty() ? audience.currentBuildId() : contacts.getFirst().buildId())));
    }

    @Override
    public void downloadAudience(ServerRequest req, ServerResponse res) {
        long limit = HttpIo.queryLong(req, "record_limit", 0, 10_000_000, 0);
        Audience audience = audiences.get(HttpIo.principal(req), project(req), audienceId(req));
        ResultsService.Download download = results.download(audience, limit, format(req));
        res.header(HeaderNames.ETAG, download.etag());
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + download.fileName() + "\"");
        res.header("X-Audience-Build-Id", Long.toString(download.buildId()));
        Optional<ByteRange> range = ByteRange.parse(req.headers().first(HeaderNames.RANGE))
                .filter(r -> req.headers().first(HeaderNames.IF_RANGE).map(download.etag()::equals).orElse(true));
        try {
            if (range.isPresent()) {
                Path file = results.file(download);
                long length = Files.size(file);
                if (range.get().start() >= length) {
                    res.header(HeaderNames.CONTENT_RANGE, "bytes */" + length);
                    throw new DomainException(DomainException.Kind.RANGE_NOT_SATISFIABLE, "range_not_satisfiable",
                            "The snapshot has " + length + " bytes.");
                }
                long end = Math.min(range.get().end().orElse(length - 1), length - 1);
                res.status(Status.PARTIAL_CONTENT_206);
                res.header(HeaderNames.CONTENT_TYPE, download.format().mediaType());
                res.header(HeaderNames.CONTENT_RANGE, "bytes " + range.get().start() + "-" + end + "/" + length);
                res.header(HeaderNames.CONTENT_LENGTH, Long.toString(end - range.get().start() + 1));
                copy(file, range.get().start(), end - range.get().start() + 1, res);
                return;
            }
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, download.format().mediaType());
            Optional<Path> cached = results.cached(download);
            if (cached.isPresent()) {
                res.header(HeaderNames.CONTENT_LENGTH, Long.toString(Files.size(cached.get())));
                copy(cached.get(), 0, Files.size(cached.get()), res);
                return;
            }
            try (OutputStream out = res.outputStream()) {
                results.write(download, out);
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away mid-transfer; it resumes with Range + If-Range.
            LOG.fine(() -> "download of audience " + audience.id() + " interrupted: " + e.getMessage());
        }
    }

    private static void copy(Path file, long offset, long count, ServerResponse res) throws IOException {
        try (InputStream in = Files.newInputStream(file); OutputStream out = res.outputStream()) {
            in.skipNBytes(offset);
            byte[] buffer = new byte[64 * 1024];
            long left = count;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static ExportFormat format(ServerRequest req) {
        String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
        return accept.contains("application/x-ndjson") && !accept.contains("text/csv") ? ExportFormat.NDJSON : ExportFormat.CSV;
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
