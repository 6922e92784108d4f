package io.audiences.contract;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The Kubernetes example in {@code deploy/k8s}, checked without a cluster (neither kubectl nor kubeconform is
 * available to CI): every file is YAML, the kustomization lists all but the Secret, and the Deployment wires what
 * the server and the image need: the three probes on the health paths, the port the server listens on, the
 * Secret's keys as the server's environment variables, the image's non-root user with a read-only root file system
 * and writable {@code /tmp} and {@code /data}, requests and limits. Needs no server and no database.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "."), "..").normalize();
    private static final Path K8S = ROOT.resolve("deploy/k8s");

    private static final List<Map<String, Object>> DOCUMENTS = new ArrayList<>();

    @BeforeAll
    static void parse() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    for (Object document : new Yaml().loadAll(reader)) {
                        assertThat(file + " holds a YAML mapping", document instanceof Map, is(true));
                        Map<String, Object> map = map(document);
                        map.put("_file", file.getFileName().toString());
                        DOCUMENTS.add(map);
                    }
                }
            }
        }
    }

    /** Not the Secret: applying the kustomization must never overwrite a real Secret with the example's placeholders. */
    @Test
    void theKustomizationListsEveryManifestButTheSecret() {
        Set<String> files = DOCUMENTS.stream()
                .filter(d -> !"Kustomization".equals(d.get("kind")) && !"Secret".equals(d.get("kind")))
                .map(d -> (String) d.get("_file")).collect(Collectors.toCollection(TreeSet::new));
        Set<String> listed = list(document("Kustomization").get("resources")).stream().map(String::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed, is(files));
        for (Map<String, Object> document : DOCUMENTS) {
            assertThat(document.get("_file") + " has apiVersion", document.get("apiVersion"), notNullValue());
        }
    }

    @Test
    void theDeploymentProbesTheHealthEndpointsOnTheServersPort() throws IOException {
        Map<String, Object> container = container();
        assertThat(at(container, "startupProbe", "httpGet", "path"), is("/health/started"));
        assertThat(at(container, "livenessProbe", "httpGet", "path"), is("/health/live"));
        assertThat(at(container, "readinessProbe", "httpGet", "path"), is("/health/ready"));
        Set<String> declared = declaredPaths();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(probe + " port", at(container, probe, "httpGet", "port"), is("http"));
            // A probe on a path the contract does not declare would be a route the server does not serve for real.
            assertThat(probe + " path is declared in openapi.yaml",
                    declared.contains((String) at(container, probe, "httpGet", "path")), is(true));
        }
        Map<String, Object> port = map(list(container.get("ports")).getFirst());
        assertThat((String) port.get("name"), is("http"));
        assertThat((Integer) port.get("containerPort"), is(serverPort()));
        Map<String, Object> servicePort = map(list(at(document("Service"), "spec", "ports")).getFirst());
        assertThat((String) servicePort.get("targetPort"), is("http"));
        Map<String, Object> selected = at(document("Deployment"), "spec", "selector", "matchLabels");
        assertThat(at(document("Service"), "spec", "selector"), is(selected));
    }

    @Test
    void theDeploymentTakesTheJwtKeyAndTheDatabaseFromTheSecret() {
        Map<String, Object> secret = document("Secret");
        assertThat(map(secret.get("stringData")).keySet(), is(Set.of(
                "AUDIENCES_JWT_SECRET", "AUDIENCES_DB_URL", "AUDIENCES_DB_USER", "AUDIENCES_DB_PASSWORD")));
        Map<String, Object> envFrom = map(list(container().get("envFrom")).getFirst());
        String name = at(secret, "metadata", "name");
        assertThat(at(envFrom, "secretRef", "name"), is(name));
    }

    @Test
    void theDeploymentRunsAsTheImagesUserOnAReadOnlyRootFileSystem() throws IOException {
        Map<String, Object> pod = map(at(document("Deployment"), "spec", "template", "spec"));
        assertThat(at(pod, "securityContext", "runAsNonRoot"), is(true));
        assertThat(at(pod, "securityContext", "runAsUser"), is(imageUser()));
        Map<String, Object> container = container();
        assertThat(at(container, "securityContext", "readOnlyRootFilesystem"), is(true));
        assertThat(at(container, "securityContext", "allowPrivilegeEscalation"), is(false));
        Set<Object> mounted = list(container.get("volumeMounts")).stream().map(m -> map(m).get("mountPath"))
                .collect(Collectors.toSet());
        assertThat(mounted, is(Set.<Object>of("/tmp", "/data")));
        for (String kind : List.of("requests", "limits")) {
            assertThat(kind, map(at(container, "resources", kind)).keySet(), is(Set.of("cpu", "memory")));
        }
    }

    private static Map<String, Object> container() {
        return map(list(at(document("Deployment"), "spec", "template", "spec", "containers")).getFirst());
    }

    /** The port in the server's application.yaml. */
    private static int serverPort() throws IOException {
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("src/main/resources/application.yaml"))) {
            return at(map(new Yaml().load(reader)), "server", "port");
        }
    }

    /** The numeric user the image runs as (Jib's container.user in src/pom.xml). */
    private static int imageUser() throws IOException {
        Matcher user = Pattern.compile("<user>(\\d+):\\d+</user>").matcher(Files.readString(ROOT.resolve("src/pom.xml")));
        assertThat("src/pom.xml names the image's user", user.find(), is(true));
        return Integer.parseInt(user.group(1));
    }

    private static Map<String, Object> document(String kind) {
        List<Map<String, Object>> found = DOCUMENTS.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat("one " + kind + " in deploy/k8s", found.size(), is(1));
        return found.getFirst();
    }

    /** The value at that path of keys, typed as the caller expects it (a wrong type fails the assertion). */
    @SuppressWarnings("unchecked")
    private static <T> T at(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            assertThat("a mapping above " + key, current instanceof Map, is(true));
            current = map(current).get(key);
        }
        return (T) current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        assertThat("a list", node instanceof List, is(true));
        return (List<Object>) node;
    }

    private static Set<String> declaredPaths() throws IOException {
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("openapi.yaml"))) {
            Map<String, Object> spec = map(new Yaml().load(reader));
            return new TreeSet<>(map(spec.get("paths")).keySet());
        }
    }
}
