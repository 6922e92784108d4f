package io.audiences.server.signin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

/**
 * The gate every sign-in passes: refused with 429 {@code too_many_attempts} (and {@code Retry-After}) while its
 * account or address has no failures left, otherwise checked (password checks on the bounded {@link HashingPool}),
 * and the outcome recorded: a wrong credential spends the reservation and is reported to {@link SignInEvents}.
 */
public final class SignIns {

    private final SignInThrottle throttle;
    private final HashingPool hashing;
    private final SignInEvents events;
    private final Duration refusalDelay;

    /**
     * @param refusalDelay how long a refused attempt (throttled, or shed by the full pool) waits before its answer: a
     *                     flooding client that sends its next attempt when the last is answered then sends a few per
     *                     second per connection instead of hundreds, each costing the server a parked virtual thread
     *                     rather than CPU the other tenants need
     */
    public SignIns(SignInThrottle throttle, HashingPool hashing, SignInEvents events, Duration refusalDelay) {
        this.throttle = throttle;
        this.hashing = hashing;
        this.events = events;
        this.refusalDelay = refusalDelay;
    }

    /** A password sign-in: {@code check} hashes, so it runs on the bounded pool. */
    public <T> T withPassword(SignInAttempt attempt, Supplier<T> check) {
        return attempt(attempt, () -> hashing.run(check));
    }

    /** A sign-in with a machine-generated secret (a fast hash): throttled the same way, checked on the caller's thread. */
    public <T> T withSecret(SignInAttempt attempt, Supplier<T> check) {
        return attempt(attempt, check);
    }

    private <T> T attempt(SignInAttempt attempt, Supplier<T> check) {
        SignInThrottle.Verdict verdict = throttle.reserve(attempt);
        if (!verdict.allowed()) {
            events.throttled(attempt, verdict);
            pause();
            throw new DomainException(DomainException.Kind.RATE_LIMITED, ErrorCode.TOO_MANY_ATTEMPTS,
                    "Too many failed sign-ins for this account or from this address; retry in "
                            + verdict.retryAfterSeconds() + " s.", List.of(),
                    Map.of(DomainException.RETRY_AFTER, verdict.retryAfterSeconds()));
        }
        T result;
        try {
            result = check.get();
        } catch (DomainException e) {
            if (e.code() == ErrorCode.INVALID_CREDENTIALS) {
                events.failed(attempt);
            } else {
                // Not a wrong credential (no room to check it, the database away, an inactive organization):
                // nothing was learned about the secret, so the attempt costs nothing.
                throttle.release(attempt);
                if (e.code() == ErrorCode.OVERLOADED) {
                    pause();
                }
            }
            throw e;
        } catch (RuntimeException e) {
            throttle.release(attempt);
            throw e;
        }
        throttle.succeeded(attempt);
        return result;
    }

    private void pause() {
        try {
            Thread.sleep(refusalDelay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
