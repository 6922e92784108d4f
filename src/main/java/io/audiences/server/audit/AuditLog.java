package io.audiences.server.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Page;
import io.audiences.server.platform.Principal;

import io.helidon.dbclient.DbExecute;

/**
 * The audit log: who changed what, when, with which credential and in which request. A change records its event in
 * its own transaction ({@link #record(DbExecute, UUID, String, String, Object, Map)}), so the two commit or roll back
 * together; events that belong to no change (a refused sign-in) use {@link #record(UUID, String, String, Object, Map)}.
 * Details name what changed and must never carry a secret.
 *
 * <p>The actor is the request's: the access filter runs each request's handler inside {@link #actingAs}, so the
 * services that record events need no extra parameters; work outside a request (scheduled renewals) acts as
 * {@link Actor#SYSTEM}.
 */
public final class AuditLog {

    /**
     * Who acts.
     *
     * @param type         {@code user}, {@code app}, {@code api_key}, {@code system} or {@code anonymous}
     * @param id           the user, app or API client, if any
     * @param credentialId the API key id or the token id ({@code jti}), if any
     * @param requestId    the request's id, if any
     */
    public record Actor(String type, UUID id, String credentialId, String requestId) {

        public static final Actor SYSTEM = new Actor("system", null, null, null);

        /** A caller without accepted credentials (sign-in attempts). */
        public static Actor anonymous(String requestId) {
            return new Actor("anonymous", null, null, requestId);
        }

        /** A caller authenticated as {@code principal} with the credential {@code credentialId}. */
        public static Actor of(Principal principal, String credentialId, String requestId) {
            String type = switch (principal.kind()) {
                case USER -> "user";
                case APP -> "app";
                case API_KEY -> "api_key";
            };
            return new Actor(type, principal.subjectId(), credentialId, requestId);
        }
    }

    /** A stored event. */
    public record Event(long seq, UUID id, UUID organizationId, String action, Actor actor, String targetType,
                        String targetId, Map<String, String> details, Instant occurredAt) { }

    private static final ThreadLocal<Actor> CURRENT = new ThreadLocal<>();

    private final Database db;
    private final AuditStore store;
    private final Clock clock;

    public AuditLog(Database db, AuditStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** Runs {@code work} (a request's handler) with {@code actor} as the actor of every event it records. */
    public static void actingAs(Actor actor, Runnable work) {
        Actor previous = CURRENT.get();
        CURRENT.set(actor);
        try {
            work.run();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /**
     * {@code work} with the calling request's actor carried along, for work handed to another thread (the password
     * check runs on the hashing pool): there the events it records still name the request's actor and request id.
     */
    public static <T> Supplier<T> carryingActor(Supplier<T> work) {
        Actor actor = CURRENT.get();
        if (actor == null) {
            return work;
        }
        return () -> {
            Object[] result = new Object[1];
            actingAs(actor, () -> result[0] = work.get());
            @SuppressWarnings("unchecked")
            T value = (T) result[0];
            return value;
        };
    }

    /** Records an event in the transaction of the change it describes. */
    public void record(DbExecute tx, UUID organizationId, String action, String targetType, Object targetId,
                       Map<String, String> details) {
        Actor actor = Optional.ofNullable(CURRENT.get()).orElse(Actor.SYSTEM);
        store.insert(tx, new Event(0, Ids.uuid(), organizationId, action, actor, targetType,
                targetId == null ? null : targetId.toString(), details, clock.now()));
    }

    /** Records an event that belongs to no change (a refused or throttled sign-in), in a transaction of its own. */
    public void record(UUID organizationId, String action, String targetType, Object targetId, Map<String, String> details) {
        db.inTransaction(tx -> {
            record(tx, organizationId, action, targetType, targetId, details);
            return null;
        });
    }

    /** One page of the events of the caller's organization and its descendants, oldest first. */
    public Page<Event> list(Principal caller, Optional<String> action, Optional<String> targetId, Optional<Instant> since,
                            Optional<String> cursor, int limit) {
        return Page.of(store.list(caller.organizationId(), Page.after(cursor), action, targetId, since, limit + 1), limit,
                Event::seq);
    }
}
