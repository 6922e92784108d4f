package io.audiences.server.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.UUID;

import io.audiences.server.platform.Sealing;

/**
 * Endpoint signing secrets at rest. Signing needs the secret itself, so it cannot be hashed like API secrets: it is
 * encrypted (AES-256-GCM) under a key derived from the server key, bound to its endpoint's id, so a sealed secret
 * copied onto another endpoint does not open. Instances sharing a database must share the server key
 * ({@code AUDIENCES_JWT_SECRET}), as they must for tokens.
 */
public final class SecretSeal {

    private final byte[] key;

    public SecretSeal(byte[] serverKey) {
        this.key = Sealing.hmac(serverKey, "audiences webhook secrets v1");
    }

    public byte[] seal(UUID endpointId, String secret) {
        return Sealing.seal(key, secret.getBytes(StandardCharsets.UTF_8), context(endpointId));
    }

    String open(UUID endpointId, byte[] sealed) {
        try {
            return new String(Sealing.open(key, sealed, context(endpointId)), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The signing secret of webhook " + endpointId + " cannot be decrypted: "
                    + "instances sharing a database must share AUDIENCES_JWT_SECRET", e);
        }
    }

    private static byte[] context(UUID endpointId) {
        return endpointId.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
