package io.audiences.server.platform;

/**
 * A setting that cannot work: the process refuses to start and says which setting and why, in one line, instead of
 * failing later (or, for a key, silently running weaker than promised).
 */
public final class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }
}
