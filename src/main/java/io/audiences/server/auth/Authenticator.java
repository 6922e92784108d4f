package io.audiences.server.auth;

import java.util.Optional;

/** Verifies presented credentials; implemented by the credentials capability. */
public interface Authenticator {

    /** A Bearer JWT; throws an unauthenticated DomainException when it is not acceptable. */
    Principal bearer(String token);

    /** An API key with its secret, if sent; throws an unauthenticated DomainException when not acceptable. */
    Principal apiKey(String key, Optional<String> secret);
}
