package io.audiences.server.signin;

/**
 * What happens to sign-in attempts that do not succeed, for whoever must see them: the audit log wires itself in
 * here ({@link #NONE} until it does). Called on the request's thread after the answer is decided; never given a
 * password or secret.
 */
public interface SignInEvents {

    /** Does nothing. */
    SignInEvents NONE = new SignInEvents() { };

    /** Wrong credentials were presented for {@code attempt}'s account (which may not exist). */
    default void failed(SignInAttempt attempt) {
    }

    /** {@code attempt} was refused unheard: its account or address has used up its budget of failures. */
    default void throttled(SignInAttempt attempt, SignInThrottle.Verdict verdict) {
    }

    /** These events, then {@code next}'s (the audit log, then the metrics). */
    default SignInEvents and(SignInEvents next) {
        SignInEvents first = this;
        return new SignInEvents() {
            @Override
            public void failed(SignInAttempt attempt) {
                first.failed(attempt);
                next.failed(attempt);
            }

            @Override
            public void throttled(SignInAttempt attempt, SignInThrottle.Verdict verdict) {
                first.throttled(attempt, verdict);
                next.throttled(attempt, verdict);
            }
        };
    }
}
