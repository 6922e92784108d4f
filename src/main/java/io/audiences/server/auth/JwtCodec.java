package io.audiences.server.auth;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Principal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Issues and verifies the HS256 JWTs of users and apps (Nimbus JOSE+JWT). */
public final class JwtCodec {

    static final String ISSUER = "audiences-api";
    private static final String VERSION = "ver";

    private final byte[] key;
    private final Duration ttl;
    private final Clock clock;

    public JwtCodec(byte[] key, Duration ttl, Clock clock) {
        if (key.length < 32) {
            throw new IllegalArgumentException("The JWT key needs at least 256 bits");
        }
        this.key = key.clone();
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * A verified token: whom it names, the version of that user or app it was issued at (compared with the current
     * one on every request, so raising the version refuses every earlier token), its id ({@code jti}) and when it
     * expires (a verification kept for later use holds until then only).
     */
    public record Verified(Principal principal, int tokenVersion, String tokenId, Instant expiresAt) { }

    public String issue(Principal principal, int tokenVersion) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(principal.subjectId().toString())
                .claim("org", principal.organizationId().toString())
                .claim("kind", principal.kind().name())
                .claim(VERSION, tokenVersion)
                .jwtID(Ids.uuid().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The principal named by a valid, unexpired token of ours; anything else is unauthenticated. */
    public Verified verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(key))) {
                throw DomainException.unauthenticated("The token signature is invalid.");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (!ISSUER.equals(claims.getIssuer()) || expires == null || !expires.toInstant().isAfter(clock.instant())) {
                throw DomainException.unauthenticated("The token has expired.");
            }
            Principal.Kind kind = Principal.Kind.valueOf(claims.getStringClaim("kind"));
            if (kind == Principal.Kind.API_KEY) {
                throw DomainException.unauthenticated("The token is invalid.");
            }
            // Tokens issued before versions existed carry none: version 0, which every user and app started at.
            Long version = claims.getLongClaim(VERSION);
            return new Verified(new Principal(UUID.fromString(claims.getStringClaim("org")), kind,
                    UUID.fromString(claims.getSubject())), version == null ? 0 : version.intValue(), claims.getJWTID(),
                    expires.toInstant());
        } catch (ParseException | JOSEException | IllegalArgumentException | NullPointerException e) {
            throw DomainException.unauthenticated("The token is invalid.");
        }
    }
}
