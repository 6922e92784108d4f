package io.audiences.server.auth;

import java.util.Optional;
import java.util.UUID;

import io.audiences.server.platform.Principal;

/** Verifies presented credentials; implemented by the credentials capability. */
public interface Authenticator {

    /**
     * An accepted credential.
     *
     * @param principal              who is calling
     * @param tenantId               the top-level organization above the principal's (itself at the top): whose rate
     *                               limit applies
     * @param credentialId           the API key's id or the token's id, for the audit log
     * @param scope                  what the credential may do: {@code read} or {@code read_write} (tokens)
     * @param passwordChangeRequired the token of a user who must first replace a one-time password
     */
    record Authenticated(Principal principal, UUID tenantId, String credentialId, String scope,
                         boolean passwordChangeRequired) { }

    /** A Bearer JWT; throws an unauthenticated DomainException when it is not acceptable. */
    Authenticated bearer(String token);

    /** An API key with its secret, if sent; throws an unauthenticated DomainException when not acceptable. */
    Authenticated apiKey(String key, Optional<String> secret);

    /**
     * App credentials sent beside a Bearer JWT ({@code X-Delivr-Client-ID}, {@code X-Delivr-Client-Secret}): they
     * must both be there and name an active app of the organization the token acts for. Throws an unauthenticated
     * DomainException otherwise: {@code app_credentials_required} when either is missing, {@code
     * invalid_app_credentials} when they are wrong (one code for every wrong pair, so existence does not leak).
     */
    void appCredentials(Principal caller, Optional<String> clientId, Optional<String> clientSecret);
}
