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

    public static Settings from(Config config) {
        Config a = config.get("audiences");
        String dataDir = env("AUDIENCES_DATA_DIR").orElseGet(() -> a.get("data-dir").asString().orElse("./data"));
        Optional<String> dbUrl = env("AUDIENCES_DB_URL").or(() -> a.get("db.url").asString().asOptional())
                .filter(s -> !s.isBlank());
        String user = env("AUDIENCES_DB_USER").orElseGet(() -> a.get("db.user").asString().orElse("sa"));
        String password = env("AUDIENCES_DB_PASSWORD").orElseGet(() -> a.get("db.password").asString().orElse(""));
        return new Settings(Path.of(dataDir),
                dbUrl,
                user,
                password,
                a.get("db.pool-size").asInt().orElse(10),
                a.get("db.connection-timeout").as(Duration.class).orElse(Duration.ofSeconds(1)),
                a.get("db.lock-timeout").as(Duration.class).orElse(Duration.ofSeconds(10)),
                env("AUDIENCES_JWT_SECRET").or(() -> a.get("auth.jwt-secret").asString().asOptional())
                        .filter(s -> !s.isBlank()),
                a.get("auth.jwt-ttl").as(Duration.class).orElse(Duration.ofHours(1)),
                a.get("rate-limit.per-second").asInt().orElse(25),
                a.get("rate-limit.burst").asInt().orElse(50),
                a.get("rate-limit.batch").asInt().asOptional(),
                a.get("rate-limit.sync-interval").as(Duration.class).orElse(Duration.ofMillis(500)),
                a.get("demo.enabled").asBoolean().orElse(true),
                env("AUDIENCES_DRAIN_PERIOD").map(Settings::duration)
                        .orElseGet(() -> a.get("shutdown.drain-period").as(Duration.class).orElse(Duration.ofSeconds(20))),
                env("AUDIENCES_EXPORT_CACHE_MAX_BYTES").map(Long::parseLong)
                        .orElseGet(() -> a.get("exports.cache-max-bytes").asLong().orElse(1L << 30)),
                a.get("http.header-read-timeout").as(Duration.class).orElse(Duration.ofSeconds(10)),
                env("AUDIENCES_WEBHOOKS_ALLOW_PRIVATE_TARGETS").map(Boolean::parseBoolean)
                        .orElseGet(() -> a.get("webhooks.allow-private-targets").asBoolean().orElse(false)),
                env("AUDIENCES_CREDENTIAL_CACHE_MAX_SIZE").map(Long::parseLong)
                        .orElseGet(() -> a.get("auth.credential-cache.max-size").asLong().orElse(10_000L)),
                env("AUDIENCES_CREDENTIAL_CACHE_MAX_AGE").map(Settings::duration)
                        .orElseGet(() -> a.get("auth.credential-cache.max-age").as(Duration.class).orElse(Duration.ofMinutes(1))),
                env("AUDIENCES_METRICS_TOKEN").or(() -> a.get("metrics.token").asString().asOptional())
                        .filter(s -> !s.isBlank()),
                list(env("AUDIENCES_CORS_ALLOWED_ORIGINS").orElseGet(() -> a.get("cors.allowed-origins").asString().orElse(""))),
                organizationIds("audiences.taxonomy.reviewer-organizations", env("AUDIENCES_TAXONOMY_REVIEWER_ORGANIZATIONS")
                        .or(() -> a.get("taxonomy.reviewer-organizations").asString().asOptional()).orElse("")));
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
