package io.audiences.server.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.audiences.api.SystemService;
import io.audiences.model.Health;
import io.audiences.model.HealthReport;
import io.audiences.model.HealthStatus;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.HttpIo;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Health and the probes, the contract itself, and its human-readable reference page (Swagger UI from its webjar). */
public final class SystemHandler implements SystemService {

    /** The files of the Swagger UI webjar that the page loads, with their media types (as declared in the contract). */
    static final Map<String, String> ASSETS = Map.of(
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private static final String PAGE = "docs.html";
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final String ASSET_CACHE = "public, max-age=86400";

    private final Database db;
    private final Probes probes;
    private final byte[] document;
    private final byte[] page;
    private final Map<String, byte[]> assets;

    public SystemHandler(Database db, Probes probes, Contract contract) {
        this.db = db;
        this.probes = probes;
        this.document = contract.document();
        this.page = read(SystemHandler.class.getResourceAsStream(PAGE), PAGE);
        String base = "META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/";
        ClassLoader loader = SystemHandler.class.getClassLoader();
        this.assets = ASSETS.keySet().stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                name -> read(loader.getResourceAsStream(base + name), base + name)));
    }

    @Override
    public void getHealth(ServerRequest req, ServerResponse res) {
        boolean up = db.available();
        HealthStatus status = up ? HealthStatus.UP : HealthStatus.DOWN;
        HttpIo.json(res, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, new Health().status(status).database(status));
    }

    @Override
    public void getLiveness(ServerRequest req, ServerResponse res) {
        send(res, probes.liveness());
    }

    @Override
    public void getReadiness(ServerRequest req, ServerResponse res) {
        send(res, probes.readiness());
    }

    @Override
    public void getStartup(ServerRequest req, ServerResponse res) {
        send(res, probes.startup());
    }

    private static void send(ServerResponse res, HealthReport report) {
        HttpIo.json(res, report.getStatus() == HealthStatus.UP ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, report);
    }

    @Override
    public void getOpenApi(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(document);
    }

    @Override
    public void getApiDocs(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(page);
    }

    @Override
    public void getApiDocsAsset(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().get("file");
        byte[] bytes = assets.get(file);
        if (bytes == null) {
            throw DomainException.notFound("File " + file);
        }
        res.header(HeaderNames.CONTENT_TYPE, ASSETS.get(file));
        res.header(HeaderNames.CACHE_CONTROL, ASSET_CACHE);
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.send(bytes);
    }

    private static String webjarVersion() {
        Properties properties = new Properties();
        try (InputStream in = SystemHandler.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
            if (in == null) {
                throw new IllegalStateException(WEBJAR_POM + " is not on the classpath (org.webjars:swagger-ui)");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static byte[] read(InputStream in, String name) {
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath");
        }
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
