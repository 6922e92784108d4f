package io.audiences.server.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.helidon.config.Config;

import static io.audiences.server.platform.Configured.required;

/**
 * The server's settings: {@code application.yaml} under {@code audiences}, overridden by the documented
 * environment variables (read explicitly so their names are exactly the ones in the README).
 */
public record Settings(Path dataDir,
                       Optional<String> dbUrl,
                       String dbUser,
                       String dbPassword,
                       int dbPoolSize,
                       Duration dbConnectionTimeout,
                       Duration dbLockTimeout,
                       Optional<String> jwtSecret,
                       Duration jwtTtl,
                       int rateLimitPerSecond,
                       int rateLimitBurst,
                       Optional<Integer> rateLimitBatch,
                       Duration rateLimitSyncInterval,
                       boolean demo,
                       Duration drainPeriod,
                       long exportCacheMaxBytes,
                       Duration headerReadTimeout,
                       boolean webhooksAllowPrivateTargets,
                       long credentialCacheMaxSize,
                       Duration credentialCacheMaxAge,
                       Optional<String> metricsToken,
                       List<String> corsAllowedOrigins,

                       Set<UUID> taxonomyReviewerOrganizations) {

    /**
     * Every key is required (its default is application.yaml's) and read even where its environment variable
     * overrides it: a configuration assembled without it is wrong whatever the environment.
     */
    public static Settings from(Config config) {
        Config a = config.get("audiences");
        return new Settings(Path.of(env("AUDIENCES_DATA_DIR").orElse(string(a, "data-dir"))),
                nonBlank(env("AUDIENCES_DB_URL").orElse(string(a, "db.url"))),
                env("AUDIENCES_DB_USER").orElse(string(a, "db.user")),
                env("AUDIENCES_DB_PASSWORD").orElse(string(a, "db.password")),
                required(a.get("db.pool-size"), Integer.class),
                required(a.get("db.connection-timeout"), Duration.class),
                required(a.get("db.lock-timeout"), Duration.class),
                nonBlank(env("AUDIENCES_JWT_SECRET").orElse(string(a, "auth.jwt-secret"))),
                required(a.get("auth.jwt-ttl"), Duration.class),
                required(a.get("rate-limit.per-second"), Integer.class),
                required(a.get("rate-limit.burst"), Integer.class),
                // Unset in application.yaml: its default is derived from the burst (RateLimiter.Policy.defaultBatch).
                a.get("rate-limit.batch").asInt().asOptional(),
                required(a.get("rate-limit.sync-interval"), Duration.class),
                required(a.get("demo.enabled"), Boolean.class),
                env("AUDIENCES_DRAIN_PERIOD").map(Settings::duration)
                        .orElse(required(a.get("shutdown.drain-period"), Duration.class)),
                env("AUDIENCES_EXPORT_CACHE_MAX_BYTES").map(Long::parseLong)
                        .orElse(required(a.get("exports.cache-max-bytes"), Long.class)),
                required(a.get("http.header-read-timeout"), Duration.class),
                env("AUDIENCES_WEBHOOKS_ALLOW_PRIVATE_TARGETS").map(Boolean::parseBoolean)
                        .orElse(required(a.get("webhooks.allow-private-targets"), Boolean.class)),
                env("AUDIENCES_CREDENTIAL_CACHE_MAX_SIZE").map(Long::parseLong)
                        .orElse(required(a.get("auth.credential-cache.max-size"), Long.class)),
                env("AUDIENCES_CREDENTIAL_CACHE_MAX_AGE").map(Settings::duration)
                        .orElse(required(a.get("auth.credential-cache.max-age"), Duration.class)),
                nonBlank(env("AUDIENCES_METRICS_TOKEN").orElse(string(a, "metrics.token"))),
                list(env("AUDIENCES_CORS_ALLOWED_ORIGINS").orElse(string(a, "cors.allowed-origins"))),
                organizationIds("audiences.taxonomy.reviewer-organizations",
                        env("AUDIENCES_TAXONOMY_REVIEWER_ORGANIZATIONS").orElse(string(a, "taxonomy.reviewer-organizations"))));
    }

    private static String string(Config audiences, String key) {
        return required(audiences.get(key), String.class);
    }

    /** Empty in the yaml stands for unset. */
    private static Optional<String> nonBlank(String value) {
        return Optional.of(value).filter(s -> !s.isBlank());
    }

    /** A comma-separated list of organization ids; a malformed one stops the start, naming the setting. */
    private static Set<UUID> organizationIds(String setting, String value) {
        try {
            return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(UUID::fromString)
                    .collect(Collectors.toUnmodifiableSet());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(setting + " must list organization ids (UUIDs), comma-separated: " + value);
        }
    }

    /** An ISO-8601 duration ({@code PT20S}) or a number of seconds ({@code 20}). */
    private static Duration duration(String value) {
        return value.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
    }

    /** A comma-separated list (one form for the file key and the environment variable); blanks dropped. */
    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /** The embedded default: no database URL configured. */
    public boolean embedded() {
        return dbUrl.isEmpty();
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
    }
}
