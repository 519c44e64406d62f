/*
 * Cors owns which browser origins may use /socket.io/ and /ws: a request without an Origin header
 * (not a browser), a same-origin request, or an origin listed in PARLEY_CORS_ORIGINS (alias
 * PARLEY_SIO_CORS_ORIGINS; "*": any) is allowed; long-polling responses to an allowed cross origin
 * carry the CORS headers, and preflight (OPTIONS) requests are answered here. Other origins get
 * 403 (Engine.IO code 4, "Forbidden" on /socket.io/; AUTHORIZATION_FAILED on /ws), on the
 * WebSocket upgrade too. An origin allowed only by "*" gets {@code Access-Control-Allow-Origin: *}
 * and never {@code Access-Control-Allow-Credentials}.
 */
package io.parley.edge.socketio;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webserver.http.ServerResponse;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/** Immutable and thread-safe. */
public final class Cors {
    private final List<String> origins;
    private final boolean any;

    public Cors(List<String> origins) {
        this.origins = origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.any = origins.contains("*");
    }

    /** True if a request with these headers may be served. */
    public boolean allowed(Headers headers) {
        String origin = headers.first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null) {
            return true;
        }
        String lower = origin.toLowerCase(Locale.ROOT);
        return any || origins.contains(lower) || sameOrigin(lower, headers.first(HeaderNames.HOST).orElse(null));
    }

    /** Adds the CORS response headers for a cross-origin browser request. */
    void apply(Headers request, ServerResponse response) {
        request.first(HeaderNames.ORIGIN).ifPresent(origin -> {
            String lower = origin.toLowerCase(Locale.ROOT);
            if (origins.contains(lower) || sameOrigin(lower, request.first(HeaderNames.HOST).orElse(null))) {
                response.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                response.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                response.header(HeaderNames.VARY, "Origin");
            } else if (any) {
                // A wildcard is never combined with credentials (the Fetch standard forbids it, and
                // echoing any origin with credentials would let every site act as the user).
                response.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            }
        });
    }

    /** Adds the headers of a preflight answer. */
    void preflight(Headers request, ServerResponse response) {
        apply(request, response);
        response.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
        request.first(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS)
                .ifPresent(h -> response.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, h));
        response.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
