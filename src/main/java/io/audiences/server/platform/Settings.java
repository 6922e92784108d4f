package io.audiences.server.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

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
                       Optional<String> jwtSecret,
                       Duration jwtTtl,
                       int rateLimitPerSecond,
                       int rateLimitBurst,
                       boolean demo,
                       Duration drainPeriod) {

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
                env("AUDIENCES_JWT_SECRET").or(() -> a.get("auth.jwt-secret").asString().asOptional())
                        .filter(s -> !s.isBlank()),
                a.get("auth.jwt-ttl").as(Duration.class).orElse(Duration.ofHours(1)),
                a.get("rate-limit.per-second").asInt().orElse(25),
                a.get("rate-limit.burst").asInt().orElse(50),
                a.get("demo.enabled").asBoolean().orElse(true),
                env("AUDIENCES_DRAIN_PERIOD").map(Settings::duration)
                        .orElseGet(() -> a.get("shutdown.drain-period").as(Duration.class).orElse(Duration.ofSeconds(20))));
    }

    /** An ISO-8601 duration ({@code PT20S}) or a number of seconds ({@code 20}). */
    private static Duration duration(String value) {
        return value.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
    }

    /** The embedded default: no database URL configured. */
    public boolean embedded() {
        return dbUrl.isEmpty();
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
    }
}
