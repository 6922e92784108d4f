package io.audiences.server.platform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets the server must read back (it cannot only hash them), under keys derived from the server
 * key with HMAC-SHA256: each use derives its own key from a label, so the server key itself encrypts nothing.
 * A sealed value is the 12-byte nonce followed by the ciphertext and its tag.
 */
public final class Sealing {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private Sealing() {
    }

    /** HMAC-SHA256 of {@code message} under {@code key}: derives keys, and signs. */
    public static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    public static byte[] hmac(byte[] key, String message) {
        return hmac(key, message.getBytes(StandardCharsets.UTF_8));
    }

    /** Encrypts {@code plaintext} under a 32-byte {@code key}, binding {@code context} (authenticated, not stored). */
    public static byte[] seal(byte[] key, byte[] plaintext, byte[] context) {
        byte[] nonce = Ids.bytes(NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context);
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /**
     * Decrypts what {@link #seal} made with the same key and context.
     *
     * @throws GeneralSecurityException when the key or context differ, or the value was altered
     */
    public static byte[] open(byte[] key, byte[] sealed, byte[] context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                new GCMParameterSpec(TAG_BITS, Arrays.copyOf(sealed, NONCE_BYTES)));
        cipher.updateAAD(context);
        return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    }
}
