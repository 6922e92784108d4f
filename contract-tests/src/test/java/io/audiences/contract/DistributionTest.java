package io.audiences.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * The runnable distribution, {@code src/target/audiences-server.tar.gz}, unpacked on its own: its libraries are
 * exactly the jars the server jar's manifest names, its launcher runs a server command with nothing but the
 * tarball's files on a Java 21+, and refuses an older Java saying which one it found. Needs no server and no
 * database.
 */
class DistributionTest {

    private static final Path TARBALL = Path.of(System.getProperty("basedir", "."), "..", "src", "target",
            "audiences-server.tar.gz").normalize();

    private Path dir;
    private Path home;

    @BeforeEach
    void unpack() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("audiences-distribution");
        Process tar = new ProcessBuilder("tar", "-xzf", TARBALL.toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        assertThat(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8), tar.waitFor(), is(0));
        home = dir.resolve("audiences-server");
    }

    @AfterEach
    void remove() {
        TestFiles.deleteRecursively(dir);
    }

    @Test
    void theLibrariesAreExactlyTheJarsTheManifestNames() throws IOException {
        Set<String> named;
        try (JarFile jar = new JarFile(home.resolve("audiences-server.jar").toFile())) {
            named = Arrays.stream(jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH).split(" "))
                    .collect(Collectors.toSet());
        }
        Set<String> shipped;
        try (Stream<Path> libs = Files.list(home.resolve("libs"))) {
            shipped = libs.map(p -> "libs/" + p.getFileName()).collect(Collectors.toSet());
        }
        assertThat(shipped.size(), greaterThan(50));
        assertThat(shipped, is(named));
        assertThat(Files.isExecutable(home.resolve("bin/audiences")), is(true));
    }

    @Test
    void theLauncherRunsACommandOnJava21Plus() throws IOException, InterruptedException {
        Path out = dir.resolve("set");
        Result run = launch(Map.of("JAVA_HOME", System.getProperty("java.home")),
                "generate", "--out", out.toString(), "--seed", "3", "--profiles", "50", "--days", "1");
        assertThat(run.output, run.exit, is(0));
        assertThat(run.output, Files.size(out.resolve("records.ndjson")), greaterThan(0L));
        assertThat(Files.exists(out.resolve("manifest.json")), is(true));
    }

    @Test
    void theLauncherRefusesAnOlderJavaAndSaysWhichItFound() throws IOException, InterruptedException {
        // A stand-in for a Java 17 installation: it answers the launcher's version question like one.
        Path java = dir.resolve("java17/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result run = launch(Map.of("JAVA_HOME", dir.resolve("java17").toString()), "generate", "--out", "x");
        assertThat(run.exit, is(1));
        assertThat(run.output, containsString("needs Java 21 or newer; found " + java + " (Java 17)"));
    }

    private record Result(int exit, String output) {
    }

    private Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(home.resolve("bin/audiences").toString()),
                Stream.of(args)).toList()).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AUDIENCES_") || name.equals("JAVA_OPTS"));
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat("the launcher finished", process.waitFor(60, TimeUnit.SECONDS), is(true));
        return new Result(process.exitValue(), output);
    }
}
