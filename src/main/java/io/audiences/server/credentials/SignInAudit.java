package io.audiences.server.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.server.audit.AuditLog;
import io.audiences.server.platform.Clock;
import io.audiences.server.signin.SignInAttempt;
import io.audiences.server.signin.SignInEvents;
import io.audiences.server.signin.SignInThrottle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Throttled sign-ins in the audit log of the account's organization, so its owner sees that someone is guessing
 * (wrong passwords are recorded by {@link CredentialService#login} itself). At most one event per account per
 * {@link #EVERY}: a flood against one account costs one lookup and one write a minute, not one per attempt. Attempts
 * on accounts that do not exist belong to no organization and are not recorded.
 */
final class SignInAudit implements SignInEvents {

    static final Duration EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(SignInAudit.class.getName());

    private final CredentialStore store;
    private final AuditLog audit;
    private final Clock clock;
    /** When each account's last throttled attempt was recorded; bounded so rotating account names cannot grow it. */
    private final Cache<String, Instant> recorded = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(EVERY.multipliedBy(2)).build();

    SignInAudit(CredentialStore store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void throttled(SignInAttempt attempt, SignInThrottle.Verdict verdict) {
        Instant now = clock.now();
        boolean[] due = new boolean[1];
        recorded.asMap().compute(attempt.kind() + " " + attempt.account(), (k, last) -> {
            due[0] = last == null || !now.isBefore(last.plus(EVERY));
            return due[0] ? now : last;
        });
        if (!due[0]) {
            return;
        }
        try {
            Optional<Map.Entry<UUID, UUID>> owner = attempt.kind() == SignInAttempt.Kind.USER
                    ? store.findUserByEmail(attempt.account()).map(u -> Map.entry(u.organizationId(), u.id()))
                    : store.findAppByClientId(attempt.account()).map(a -> Map.entry(a.organizationId(), a.id()));
            String target = attempt.kind() == SignInAttempt.Kind.USER ? "user" : "app";
            owner.ifPresent(o -> audit.record(o.getKey(), target + ".sign_in_throttled", target, o.getValue(),
                    Map.of("address", attempt.address(), "retry_after_seconds", Long.toString(verdict.retryAfterSeconds()))));
        } catch (RuntimeException e) {
            // The refusal stands whatever happens to its record (the database may be why sign-ins fail right now).
            LOG.log(Level.WARNING, "Could not record a throttled sign-in: " + e.getMessage());
        }
    }
}
