package io.audiences.server.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 for machine-generated secrets (API keys and secrets, app client secrets). They carry at least
 * 128 bits of randomness, so a fast unsalted hash is safe and lets the hash be a unique lookup key;
 * a slow KDF here would make every request cost tens of milliseconds.
 */
public final class SecretHash {

    private SecretHash() {
    }

    public static String sha256(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of a presented secret with a stored hash. */
    public static boolean matches(String presented, String storedHash) {
        return MessageDigest.isEqual(sha256(presented).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
