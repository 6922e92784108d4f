package io.audiences.server.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

import io.audiences.server.platform.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A configured JWT secret too short for HS256, or not base64, stops the start instead of signing weakly. */
class SigningKeyTest {

    @TempDir
    Path dataDir;

    @Test
    void aConfiguredKeyOf32BytesIsUsedAsIs() {
        byte[] key = new byte[32];
        key[7] = 42;
        assertThat(SigningKey.resolve(Optional.of(Base64.getEncoder().encodeToString(key) + "\n"), dataDir), is(key));
    }

    @Test
    void aConfiguredKeyShorterThan32BytesIsRefusedWithTheSettingNamed() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> SigningKey.resolve(Optional.of(Base64.getEncoder().encodeToString(new byte[31])), dataDir));
        assertThat(e.getMessage(), containsString("AUDIENCES_JWT_SECRET"));
        assertThat(e.getMessage(), containsString("31 bytes"));
    }

    @Test
    void aConfiguredKeyThatIsNotBase64IsRefused() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> SigningKey.resolve(Optional.of("correct horse battery staple, not base64!"), dataDir));
        assertThat(e.getMessage(), containsString("not base64"));
    }

    @Test
    void withoutAConfiguredKeyOneIsGeneratedOnceOwnerOnly() throws Exception {
        byte[] first = SigningKey.resolve(Optional.empty(), dataDir);
        byte[] again = SigningKey.resolve(Optional.empty(), dataDir);
        assertThat(first.length, is(32));
        assertThat(again, is(first));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("jwt-signing.key"))),
                is("rw-------"));
    }
}
