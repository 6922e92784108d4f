package io.audiences.server.idempotency;

import java.security.GeneralSecurityException;
import java.util.UUID;

import io.audiences.server.platform.Sealing;

/**
 * Encrypts stored reply bodies (AES-256-GCM). Replies to creates carry secrets shown once (API secrets, app client
 * secrets, generated passwords), and secrets are never stored in plaintext. Each body's key is derived from the
 * server's key and the Idempotency-Key itself, which is stored only as a hash: the database alone, or the server key
 * alone, opens nothing; a replay opens it because the client presents the key again.
 */
final class ReplySeal {

    private static final byte[] NO_CONTEXT = new byte[0];

    private final byte[] masterKey;

    /** @param serverKey the instances' shared secret (the JWT signing key); a derived key is used, never it directly */
    ReplySeal(byte[] serverKey) {
        this.masterKey = Sealing.hmac(serverKey, "audiences idempotent replies v1");
    }

    byte[] seal(UUID organizationId, String idempotencyKey, byte[] plaintext) {
        return Sealing.seal(key(organizationId, idempotencyKey), plaintext, NO_CONTEXT);
    }

    byte[] open(UUID organizationId, String idempotencyKey, byte[] sealed) {
        try {
            return Sealing.open(key(organizationId, idempotencyKey), sealed, NO_CONTEXT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A stored idempotent reply cannot be decrypted: instances sharing a database "
                    + "must share AUDIENCES_JWT_SECRET", e);
        }
    }

    private byte[] key(UUID organizationId, String idempotencyKey) {
        return Sealing.hmac(masterKey, organizationId + "\n" + idempotencyKey);
    }
}
