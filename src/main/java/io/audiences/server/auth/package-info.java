/**
 * Who is calling and whether they may: the access filter run before every handler, JWT issuing and checking,
 * password hashing, the signing key, and the per-tenant rate limit (table {@code rate_limit_bucket}).
 * Credentials themselves are looked up through the {@code Authenticator} interface that {@code credentials}
 * implements, so this package must not depend on {@code credentials} or any other capability but {@code platform},
 * {@code audit} (the request's actor), {@code metrics} and {@code tracing}.
 */
package io.audiences.server.auth;
