package io.audiences.server.platform;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.helidon.common.Weighted;
import io.helidon.common.uri.UriInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.cors.CorsFeature;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.spi.ServerFeature;

/**
 * CORS for browser clients, with Helidon's CORS feature (its filter answers preflights before routing and adds the
 * response headers for allowed origins only). Off unless origins are configured ({@code audiences.cors.allowed-origins}):
 * then browsers allow pages of those origins to call every operation with the credentials and headers the API
 * takes, and to read the headers a client acts on.
 */
public final class Cors {

    /** Request headers a browser client sends beyond the CORS-safelisted ones. */
    static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", "X-Api-Key", "X-Api-Secret",
            "X-Project-Id", "Idempotency-Key", "If-Match", "If-None-Match", "If-Range", "Range", "X-Request-Id",
            "X-Delivr-Client-ID", "X-Delivr-Client-Secret");

    /** Response headers beyond the safelisted ones that a browser client may read. */
    static final Set<String> EXPOSED_HEADERS = Set.of("ETag", "Location", "Retry-After", "X-Request-Id", "Idempotent-Replayed",
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit", "RateLimit-Policy",
            "Content-Disposition", "Content-Range", "Accept-Ranges", "X-Audience-Build-Id", "Allow");

    /** Methods a browser client may call cross-origin: every method of the contract. */
    static final Set<String> ALLOWED_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");

    private Cors() {
    }

    /**
     * The feature for {@code allowedOrigins}; disabled when there are none. Always added explicitly, so a feature
     * discovered on the classpath cannot turn CORS on with its permissive defaults.
     */
    public static CorsFeature feature(List<String> allowedOrigins) {
        return CorsFeature.create(b -> b.enabled(!allowedOrigins.isEmpty()).addDefaults(false).pathsDiscoverServices(false)
                .addPath(p -> p.pathPattern("/*")
                        .allowOrigins(Set.copyOf(allowedOrigins))
                        .allowMethods(ALLOWED_METHODS)
                        .allowHeaders(ALLOWED_HEADERS)
                        .exposeHeaders(EXPOSED_HEADERS)
                        // Credentials travel in headers, never in cookies.
                        .allowCredentials(false)
                        .maxAge(Duration.ofHours(1))));
    }

    /**
     * Answers with a 403 problem the cross-origin requests Helidon's CORS filter would refuse with a bare 403 (its
     * refusal has no hook: it sends the status itself), just before that filter: a request from an origin not in
     * {@code allowedOrigins} ({@code cors_origin_not_allowed}), and a preflight of an allowed origin asking for a method
     * or request header the API does not allow ({@code cors_preflight_not_allowed}). Helidon's filter, which makes the
     * same decisions, handles everything else; nothing is added when CORS is off.
     */
    public static ServerFeature refusals(List<String> allowedOrigins) {
        return new Refusals(Set.copyOf(allowedOrigins));
    }

    private record Refusals(Set<String> origins) implements ServerFeature, HttpFeature, Filter, Weighted {

        private static final Set<String> HEADERS = ALLOWED_HEADERS.stream().map(h -> h.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());

        @Override
        public void setup(ServerFeatureContext context) {
            if (origins.isEmpty()) {
                return;
            }
            // The sockets Helidon's CORS feature covers when it names none.
            Set<String> sockets = new HashSet<>(context.sockets());
            sockets.add(WebServer.DEFAULT_SOCKET_NAME);
            sockets.forEach(socket -> context.socket(socket).httpRouting().addFeature(this));
        }

        @Override
        public void setup(HttpRouting.Builder routing) {
            routing.addFilter(this);
        }

        @Override
        public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
            Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
            if (origin.isEmpty() || sameOrigin(origin.get(), req)) {
                chain.proceed();
            } else if (!origins.contains(origin.get()) && !origins.contains(io.helidon.webserver.cors.Cors.ALLOW_ALL)) {
                ErrorMapper.refuseBeforeRouting(req, res, Status.FORBIDDEN_403, ErrorCode.CORS_ORIGIN_NOT_ALLOWED,
                        "Cross-origin requests from " + origin.get() + " are not allowed; the server setting "
                        + "audiences.cors.allowed-origins lists the origins that are.");
            } else {
                Optional<String> refused = preflightRefusal(req);
                if (refused.isPresent()) {
                    ErrorMapper.refuseBeforeRouting(req, res, Status.FORBIDDEN_403, ErrorCode.CORS_PREFLIGHT_NOT_ALLOWED,
                            refused.get() + " is not a method or request header this API takes cross-origin.");
                } else {
                    chain.proceed();
                }
            }
        }

        /** The method or request header a preflight asks for that is not allowed (Helidon's rules); empty if none. */
        private static Optional<String> preflightRefusal(RoutingRequest req) {
            if (req.prologue().method() != Method.OPTIONS) {
                return Optional.empty();
            }
            Optional<String> method = req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
            if (method.isEmpty()) {
                return Optional.empty();
            }
            if (!ALLOWED_METHODS.contains(method.get())) {
                return method;
            }
            return req.headers().find(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).stream()
                    .flatMap(h -> h.allValues(true).stream())
                    .filter(h -> !h.isBlank() && !HEADERS.contains(h.toLowerCase(Locale.ROOT)))
                    .findFirst();
        }

        /** Helidon's rule: a request whose Origin is its own scheme, host and port (default ports filled in) is not CORS. */
        private static boolean sameOrigin(String origin, RoutingRequest req) {
            int scheme = origin.indexOf(':');
            String withPort = scheme < 0 || scheme != origin.lastIndexOf(':') ? origin
                    : origin + ":" + ("https".equals(origin.substring(0, scheme)) ? 443 : 80);
            UriInfo uri = req.requestedUri();
            return withPort.equals(uri.scheme() + "://" + uri.host() + ":" + uri.port());
        }

        /** Just above Helidon's CORS filter, so this check runs first. */
        @Override
        public double weight() {
            return CorsFeature.WEIGHT + 1;
        }

        @Override
        public String name() {
            return "cors-refusals";
        }

        @Override
        public String type() {
            return "cors-refusals";
        }
    }
}
