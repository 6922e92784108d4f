package io.audiences.server.platform;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Headers every answer carries, set before the handler runs so a handler can still say otherwise:
 * <ul>
 *     <li>{@code X-Content-Type-Options: nosniff}: browsers take the declared media type, never guess one (a JSON
 *     body with text a browser might run as HTML, say).</li>
 *     <li>{@code Cache-Control: no-store}: answers carry tokens, secrets shown once, one-time passwords and contact
 *     data, which no shared or browser cache may keep. It is the default for every answer rather than a list of
 *     sensitive ones, so a new operation is safe without anyone remembering it. Only public static files say
 *     otherwise (the reference page and its assets). Downloads keep {@code no-store} too: their rows are contact
 *     data, and resuming one needs only its {@code ETag} and {@code If-Range}, not a cached copy.</li>
 * </ul>
 */
public final class SecurityHeaders implements Filter {

    public static final Header NO_SNIFF = HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF;
    public static final Header NO_STORE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.header(NO_SNIFF);
        res.header(NO_STORE);
        chain.proceed();
    }
}
