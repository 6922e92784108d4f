package io.audiences.server.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

import io.audiences.api.AuditApi;
import io.audiences.model.AuditActorTypeDto;
import io.audiences.model.AuditEventDto;
import io.audiences.model.AuditEventListDto;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Timestamps;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of the audit log. */
public final class AuditHandler implements AuditApi {

    /** The contract's pattern of the {@code action} filter. */
    private static final Pattern ACTION = Pattern.compile("[a-z_]+\\.[a-z_]+");

    private final AuditLog audit;

    public AuditHandler(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void listAuditEvents(ServerRequest req, ServerResponse res) {
        int limit = HttpIo.queryInt(req, "limit", 1, 200, 50);
        Optional<String> cursor = HttpIo.queryString(req, "cursor", 200);
        Optional<String> action = HttpIo.queryString(req, "action", 64);
        if (action.isPresent() && !ACTION.matcher(action.get()).matches()) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "action", "action must look like resource.verb.");
        }
        Optional<String> targetId = HttpIo.queryString(req, "target_id", 64);
        Optional<Instant> since = HttpIo.queryString(req, "since", 64).map(AuditHandler::instant);
        Page<AuditLog.Event> page = audit.list(HttpIo.principal(req), action, targetId, since, cursor, limit);
        HttpIo.json(res, Status.OK_200, new AuditEventListDto()
                .events(page.items().stream().map(AuditHandler::dto).toList())
                .nextCursor(page.nextCursor().orElse(null)));
    }

    private static Instant instant(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, "since", "since must be a date-time such as 2026-05-04T09:12:44Z.");
        }
    }

    private static AuditEventDto dto(AuditLog.Event e) {
        return new AuditEventDto()
                .eventId(e.id())
                .organizationId(e.organizationId())
                .action(e.action())
                .actorType(AuditActorTypeDto.fromValue(e.actor().type()))
                .actorId(e.actor().id())
                .credentialId(e.actor().credentialId())
                .requestId(e.actor().requestId())
                .targetType(e.targetType())
                .targetId(e.targetId())
                .details(e.details().isEmpty() ? null : e.details())
                .occurredAt(Timestamps.utc(e.occurredAt()));
    }
}
