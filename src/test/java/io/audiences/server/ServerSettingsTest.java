package io.audiences.server;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.audiences.server.platform.ConfigurationException;
import io.audiences.server.platform.LogFormat;
import io.audiences.server.signin.HashingPool;
import io.audiences.server.tracing.Tracing;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * application.yaml is the one place of every default: it alone builds every setting the server reads at the start,
 * and without any one of its keys the start fails naming that key. A default put back in code (an
 * {@code .orElse(10)}) would let the start go on without the key, and fail here.
 */
class ServerSettingsTest {

    private static final Map<String, String> YAML = only(Config.builder()
            .addSource(ConfigSources.classpath("application.yaml"))).asMap().orElseThrow();

    /** What the server reads from its configuration before it opens the database (Main, Application.create). */
    private static void readAtStart(Config config) {
        LogFormat.from(config);
        Tracing.from(config).close();
        ServerSettings.from(config);
    }

    @Test
    void applicationYamlAloneBuildsEverySetting() {
        readAtStart(config(YAML));
        ServerSettings settings = ServerSettings.from(config(YAML));
        // The defaults application.yaml cannot express (it says so at the top), computed where they are read.
        assertThat(settings.settings().rateLimitBatch().isPresent(), is(false));
        assertThat(settings.signIn().hashingThreads(), greaterThanOrEqualTo(1));
        assertThat(settings.signIn().hashingQueue(), is(HashingPool.defaultQueue(settings.signIn().hashingThreads())));
    }

    static Stream<String> serverKeys() {
        // server.* and db.* are read by Helidon (server.max-payload-size also by Application.start).
        return YAML.keySet().stream().filter(k -> k.startsWith("audiences.")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverKeys")
    void withoutAnyKeyTheStartFailsNamingIt(String key) {
        Map<String, String> values = new HashMap<>(YAML);
        values.remove(key);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> readAtStart(config(values)));
        assertThat(e.getMessage(), containsString(key + " is not set"));
    }

    @Test
    void aMalformedValueStopsTheStartNamingItsKey() {
        Map<String, String> values = new HashMap<>(YAML);
        values.put("audiences.db.pool-size", "ten");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> readAtStart(config(values)));
        assertThat(e.getMessage(), containsString("audiences.db.pool-size is not a valid Integer"));
    }

    private static Config config(Map<String, String> values) {
        return only(Config.builder().addSource(ConfigSources.create(values)));
    }

    /** No environment variable or system property of the machine running the test. */
    private static Config only(Config.Builder builder) {
        return builder.disableEnvironmentVariablesSource().disableSystemPropertiesSource().build();
    }
}
