package io.audiences.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

import io.audiences.server.platform.Ids;

/**
 * The JWT signing key: from configuration when several instances must agree on it, otherwise generated
 * once into the data directory with owner-only permissions, so tokens survive restarts.
 */
public final class SigningKey {

    private SigningKey() {
    }

    public static byte[] resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            return Base64.getDecoder().decode(configured.get().trim());
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
}
