package io.audiences.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

import io.audiences.server.platform.ConfigurationException;
import io.audiences.server.platform.Ids;

/**
 * The JWT signing key: from configuration when several instances must agree on it, otherwise generated
 * once into the data directory with owner-only permissions, so tokens survive restarts.
 */
public final class SigningKey {

    /** HS256 needs a key at least as long as its 256-bit hash output (RFC 7518, section 3.2). */
    static final int MIN_BYTES = 32;

    private SigningKey() {
    }

    public static byte[] resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            return validated(configured.get());
        }
        Path file = dataDir.resolve("jwt-signing.key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                Path tmp = Files.createTempFile(dataDir, "jwt", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, Base64.getEncoder().encodeToString(Ids.bytes(32)), StandardCharsets.US_ASCII);
                Files.move(tmp, file);
            }
            return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create " + file, e);
        }
    }

    private static byte[] validated(String configured) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(configured.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("AUDIENCES_JWT_SECRET (audiences.auth.jwt-secret) is not base64: "
                    + "generate one with `head -c 32 /dev/urandom | base64`");
        }
        if (key.length < MIN_BYTES) {
            throw new ConfigurationException("AUDIENCES_JWT_SECRET (audiences.auth.jwt-secret) holds " + key.length
                    + " bytes; HS256 needs at least " + MIN_BYTES + ": generate one with `head -c 32 /dev/urandom | base64`");
        }
        return key;
    }
}
