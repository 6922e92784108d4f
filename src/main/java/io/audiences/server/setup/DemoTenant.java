package io.audiences.server.setup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Json;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.tenancy.TenancyService;

import jakarta.json.bind.annotation.JsonbProperty;

/**
 * The tenant a newcomer gets on the first start of the embedded default, with its credentials written
 * once to {@code <data dir>/demo-credentials.json} (owner-only) and reused on later starts.
 */
public final class DemoTenant {

    static final String FILE = "demo-credentials.json";

    private DemoTenant() {
    }

    /** What the credentials file holds. */
    public static final class Credentials {
        @JsonbProperty("organization_id")
        public UUID organizationId;
        @JsonbProperty("project_id")
        public UUID projectId;
        @JsonbProperty("user_id")
        public UUID userId;
        @JsonbProperty("email")
        public String email;
        @JsonbProperty("password")
        public String password;
        @JsonbProperty("api_key")
        public String apiKey;
        @JsonbProperty("api_secret")
        public String apiSecret;
    }

    /** Reuses the demo tenant named by the file if the database still has it, else creates one. */
    public static Credentials ensure(Database db, TenancyService tenancy, CredentialService credentials, Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Optional<Credentials> existing = read(file).filter(c -> c.userId != null && tenancy.isKnown(c.organizationId));
        if (existing.isPresent()) {
            return existing.get();
        }
        Credentials created = db.inTransaction(tx -> {
            Organization org = tenancy.createTopLevel(tx, "Demo Organization", Optional.empty());
            Project project = tenancy.createProject(tx, org.id(), "Demo Project");
            String email = "demo+" + org.id().toString().substring(0, 8) + "@example.com";
            CredentialService.NewUser user = credentials.createUser(tx, org.id(), email, "Demo", "User", Optional.empty());
            CredentialService.NewClient client = credentials.createClient(tx, org.id(), "Demo client", true);
            Credentials c = new Credentials();
            c.organizationId = org.id();
            c.projectId = project.id();
            c.userId = user.user().id();
            c.email = email;
            c.password = user.generatedPassword().orElseThrow();
            c.apiKey = client.key().apiKey();
            c.apiSecret = client.key().apiSecret();
            return c;
        });
        write(file, created);
        return created;
    }

    private static Optional<Credentials> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.JSONB.fromJson(Files.readString(file, StandardCharsets.UTF_8), Credentials.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void write(Path file, Credentials credentials) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "demo", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Json.JSONB.toJson(credentials) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
