package io.audiences.server.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.audiences.api.SystemApi;
import io.audiences.model.ApiRootDto;
import io.audiences.model.HealthDto;
import io.audiences.model.HealthReportDto;
import io.audiences.model.HealthStatusDto;
import io.audiences.server.metrics.ServerMetrics;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.ResponseBody;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Health and the probes, the metrics, the contract itself, and its human-readable reference page (Swagger UI from its webjar). */
public final class SystemHandler implements SystemApi {

    /** The files of the Swagger UI webjar that the page loads, with their media types (as declared in the contract). */
    static final Map<String, String> ASSETS = Map.of(
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private static final String PAGE = "docs.html";
    private static final HeaderName CONTENT_SECURITY_POLICY = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName X_FRAME_OPTIONS = HeaderNames.create("X-Frame-Options");
    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final String ASSET_CACHE = "public, max-age=86400";
    /** The Prometheus text exposition format's media type. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Database db;
    private final Probes probes;
    private final byte[] document;
    private final ApiRootDto root;
    private final byte[] page;
    private final byte[] errorsPage;
    private final Map<String, byte[]> assets;
    private final String contentSecurityPolicy;
    private final ServerMetrics metrics;
    private final Optional<byte[]> metricsToken;

    /** @param metricsToken the bearer token {@code GET /metrics} requires; empty: none (like the probes) */
    public SystemHandler(Database db, Probes probes, Contract contract, ServerMetrics metrics, Optional<String> metricsToken) {
        this.db = db;
        this.probes = probes;
        this.metrics = metrics;
        this.metricsToken = metricsToken.map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.document = contract.document();
        this.root = new ApiRootDto().name("Audiences API").version(contract.version()).openapiUrl("/openapi").docsUrl("/docs");
        this.page = read(SystemHandler.class.getResourceAsStream(PAGE), PAGE);
        this.contentSecurityPolicy = contentSecurityPolicy(new String(page, StandardCharsets.UTF_8));
        this.errorsPage = errorsPage(contract.problemCodes());
        String base = "META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/";
        ClassLoader loader = SystemHandler.class.getClassLoader();
        this.assets = ASSETS.keySet().stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                name -> read(loader.getResourceAsStream(base + name), base + name)));
    }

    @Override
    public void getApiRoot(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, Status.OK_200, root);
    }

    @Override
    public void getHealth(ServerRequest req, ServerResponse res) {
        boolean up = db.available();
        HealthStatusDto status = up ? HealthStatusDto.UP : HealthStatusDto.DOWN;
        HttpIo.json(res, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, new HealthDto().status(status).database(status));
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

    private static void send(ServerResponse res, HealthReportDto report) {
        HttpIo.json(res, report.getStatus() == HealthStatusDto.UP ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, report);
    }

    @Override
    public void getMetrics(ServerRequest req, ServerResponse res) {
        if (metricsToken.isPresent()) {
            byte[] presented = req.headers().first(HeaderNames.AUTHORIZATION)
                    .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                    .map(v -> v.substring(7).trim().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            // Constant time: the comparison must not tell a scraper how much of a guess was right.
            if (!MessageDigest.isEqual(presented, metricsToken.get())) {
                throw DomainException.unauthenticated("GET /metrics needs Authorization: Bearer <AUDIENCES_METRICS_TOKEN>.");
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void getOpenApi(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        ResponseBody.send(res, document);
    }

    @Override
    public void getApiDocs(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(CONTENT_SECURITY_POLICY, contentSecurityPolicy);
        res.header(X_FRAME_OPTIONS, "DENY");
        ResponseBody.send(res, page);
    }

    @Override
    public void getErrorCodes(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                + "form-action 'none'; frame-ancestors 'none'");
        res.header(X_FRAME_OPTIONS, "DENY");
        ResponseBody.send(res, errorsPage);
    }

    /** The page a problem's {@code type} points into: one section per code, its id the code, from the contract. */
    static byte[] errorsPage(List<Contract.ProblemCode> codes) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Audiences API problem codes</title>
                <style>body{font-family:sans-serif;max-width:50em;margin:2em auto}code{font-size:1.1em}</style></head>
                <body><h1>Problem codes</h1>
                <p>Every 4xx and 5xx answer is <code>application/problem+json</code> with one of these <code>code</code>s;
                its <code>type</code> is <code>/docs/errors#&lt;code&gt;</code>, the section below. See also the
                <a href="/docs">API reference</a>.</p>
                """);
        for (Contract.ProblemCode code : codes) {
            html.append("<section id=\"").append(code.code()).append("\"><h2><code>").append(code.code())
                    .append("</code> (").append(code.status()).append(")</h2><p>").append(escape(code.description()))
                    .append("</p></section>\n");
        }
        return html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** HTML text from the contract's Markdown-ish descriptions: escaped, with `code` spans kept as code. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replaceAll("`([^`]+)`", "<code>$1</code>");
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
        ResponseBody.send(res, bytes);
    }

    /**
     * The page may run only its own files and its one inline script (allowed by its hash, computed from the page as
     * shipped), fetch only from this server (the contract, "Try it out"), and be framed by nobody. Styles may be
     * inline: Swagger UI sets them from its script. Images may be data: URLs, which Swagger UI's icons are.
     */
    static String contentSecurityPolicy(String html) {
        StringBuilder scripts = new StringBuilder();
        Matcher inline = INLINE_SCRIPT.matcher(html);
        while (inline.find()) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.group(1).getBytes(StandardCharsets.UTF_8));
                scripts.append(" 'sha256-").append(Base64.getEncoder().encodeToString(digest)).append('\'');
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return "default-src 'none'; script-src 'self'" + scripts + "; style-src 'self' 'unsafe-inline'; "
                + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
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
