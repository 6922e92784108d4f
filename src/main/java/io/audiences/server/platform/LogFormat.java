package io.audiences.server.platform;

import java.util.Locale;
import java.util.Optional;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

import io.helidon.config.Config;

/**
 * How the server writes its log: {@code text} (the default, for a terminal) or {@code json} (one JSON object per
 * line, for a log collector). {@code AUDIENCES_LOG_FORMAT}, else {@code audiences.log.format}.
 */
public enum LogFormat {
    TEXT, JSON;

    private static final String ENV = "AUDIENCES_LOG_FORMAT";

    /**
     * The format named by the environment alone: the console handler is created before the configuration is read, and
     * with {@code AUDIENCES_LOG_FORMAT=json} even the first lines must be JSON. Unset or an unknown name: text until
     * {@link #from(Config)} applies the configured format (or refuses the name).
     */
    static LogFormat fromEnvironment() {
        try {
            return env().map(LogFormat::parse).orElse(TEXT);
        } catch (ConfigurationException e) {
            return TEXT;
        }
    }

    public static LogFormat from(Config config) {
        return parse(env().orElse(Configured.required(config.get("audiences.log.format"), String.class)));
    }

    private static LogFormat parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new ConfigurationException(ENV + " / audiences.log.format must be text or json, not '"
                    + LogText.escape(name) + "'");
        };
    }

    Formatter formatter() {
        return this == JSON ? new JsonLogFormatter() : new SafeLogFormatter();
    }

    /** Switches the server's console handlers (see {@code logging.properties}) to this format. */
    public void apply() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (handler instanceof ConsoleLogHandler) {
                handler.setFormatter(formatter());
            }
        }
    }

    private static Optional<String> env() {
        return Optional.ofNullable(System.getenv(ENV)).filter(s -> !s.isBlank());
    }
}
