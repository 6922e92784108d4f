/**
 * Users, API clients and their keys, and apps (tables {@code app_user}, {@code api_client}, {@code api_key},
 * {@code app}): creation, rotation, revocation, login and the app token exchange, and the verification behind
 * {@code auth.Authenticator}. Only hashes of secrets reach its tables. It may use {@code auth}, {@code signin},
 * {@code tenancy}, {@code audit}, {@code idempotency} and {@code platform}; nothing but the composition root may
 * depend on it.
 */
package io.audiences.server.credentials;
