package io.audiences.server.idempotency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.audiences.server.platform.Ids;

/**
 * Encrypts stored reply bodies (AES-256-GCM). Replies to creates carry secrets shown once (API secrets, app client
 * secrets, generated passwords), and secrets are never stored in plaintext. Each body's key is derived from the
 * server's key and the Idempotency-Key itself, which is stored only as a hash: the database alone, or the server key
 * alone, opens nothing; a replay opens it because the client presents the key again.
 */
final class ReplySeal {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final byte[] masterKey;

    /** @param serverKey the instances' shared secret (the JWT signing key); a derived key is used, never it directly */
    ReplySeal(byte[] serverKey) {
        this.masterKey = hmac(serverKey, "audiences idempotent replies v1");
    }

    byte[] seal(UUID organizationId, String idempotencyKey, byte[] plaintext) {
        byte[] nonce = Ids.bytes(NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(organizationId, idempotencyKey), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    byte[] open(UUID organizationId, String idempotencyKey, byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(organizationId, idempotencyKey),
                    new GCMParameterSpec(TAG_BITS, Arrays.copyOf(sealed, NONCE_BYTES)));
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A stored idempotent reply cannot be decrypted: instances sharing a database "
                    + "must share AUDIENCES_JWT_SECRET", e);
        }
    }

    private SecretKeySpec key(UUID organizationId, String idempotencyKey) {
        return new SecretKeySpec(hmac(masterKey, organizationId + "\n" + idempotencyKey), "AES");
    }

    private static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
