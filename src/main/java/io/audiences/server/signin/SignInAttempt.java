package io.audiences.server.signin;

/**
 * One attempt to exchange a credential for a token.
 *
 * @param kind      a user's email and password, or an app's client id and secret
 * @param account   the email (lower-cased) or client id presented; it may name no account
 * @param address   the client's IP address as the server sees it
 * @param requestId the request's id, for the audit log
 */
public record SignInAttempt(Kind kind, String account, String address, String requestId) {

    /** The two sign-ins. */
    public enum Kind { USER, APP }
}
