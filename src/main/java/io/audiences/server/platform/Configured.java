package io.audiences.server.platform;

import io.helidon.config.Config;
import io.helidon.config.ConfigMappingException;
import io.helidon.config.MissingValueException;

/**
 * Reads a setting the configuration must hold. {@code application.yaml} is the one place of every default (the
 * configuration reference is generated from it, and every configuration the server runs with is layered over it),
 * so a key missing there is a configuration assembled wrongly, not something a second default in code should hide:
 * the start fails naming the key. The few defaults derived from other settings are listed at the top of the yaml.
 */
public final class Configured {

    private Configured() {
    }

    /** The value of {@code node} as {@code type}; a missing or malformed one stops the start, naming the key. */
    public static <T> T required(Config node, Class<T> type) {
        try {
            return node.as(type).get();
        } catch (MissingValueException e) {
            throw new ConfigurationException(node.key() + " is not set: the configuration must include application.yaml,"
                    + " which holds every setting's default");
        } catch (ConfigMappingException e) {
            throw new ConfigurationException(node.key() + " is not a valid " + type.getSimpleName() + ": " + e.getMessage());
        }
    }
}
