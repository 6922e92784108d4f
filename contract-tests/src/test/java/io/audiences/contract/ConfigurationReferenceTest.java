package io.audiences.contract;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;

import io.audiences.server.Application;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.LogFormat;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

/**
 * docs/configuration.md is exactly what application.yaml generates ({@link ConfigReference}), every setting there
 * says what it does, and the settings the server reads are exactly the documented ones: a key the server reads
 * that the yaml lacks, or a documented key nothing reads, fails.
 */
class ConfigurationReferenceTest extends ServerTestBase {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "."), "..").normalize();
    private static final Path PAGE = ROOT.resolve("docs/configuration.md");

    private static List<ConfigReference.Setting> documented() throws IOException {
        try (InputStream in = ConfigurationReferenceTest.class.getClassLoader().getResourceAsStream("application.yaml")) {
            return ConfigReference.settings(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void thePageIsGeneratedFromApplicationYaml() throws IOException {
        String expected = ConfigReference.markdown(documented());
        String actual = Files.exists(PAGE) ? Files.readString(PAGE) : "";
        if (!expected.equals(actual)) {
            Path generated = ROOT.resolve("contract-tests/target/configuration.md");
            Files.writeString(generated, expected);
            assertThat("docs/configuration.md is stale: cp " + ROOT.relativize(generated) + " docs/configuration.md",
                    actual, equalTo(expected));
        }
    }

    @Test
    void everySettingSaysWhatItDoes() throws IOException {
        assertThat(documented().stream().filter(s -> s.meaning().isBlank()).map(ConfigReference.Setting::key).toList(),
                empty());
    }

    @Test
    void theServerReadsExactlyTheDocumentedSettings() throws IOException {
        Set<String> read = new ConcurrentSkipListSet<>();
        try (Application second = Application.create(recording(serverConfig(), read), Clock.SYSTEM)) {
            assertThat(second.settings().dataDir(), equalTo(dataDir));
        }
        // Read by Main before the application exists: the log format applies from the first line.
        LogFormat.from(recording(serverConfig(), read));
        Set<String> readByServer = read.stream().filter(k -> k.startsWith("audiences.")).collect(Collectors.toCollection(TreeSet::new));
        Set<String> audiencesKeys = documented().stream().map(ConfigReference.Setting::key)
                .filter(k -> k.startsWith("audiences.")).collect(Collectors.toCollection(TreeSet::new));
        Set<String> undocumented = new TreeSet<>(readByServer);
        undocumented.removeAll(audiencesKeys);
        Set<String> unread = new TreeSet<>(audiencesKeys);
        unread.removeAll(readByServer);
        assertThat("read by the server but not in application.yaml", undocumented, empty());
        assertThat("in application.yaml but read by nothing", unread, empty());
    }

    /** {@code config}, noting the key of every node whose value is asked for. */
    private static Config recording(Config config, Set<String> read) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(config, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().startsWith("as")) {
                        read.add(config.key().toString());
                    }
                    return result instanceof Config child && method.getName().equals("get") ? recording(child, read) : result;
                });
    }
}
