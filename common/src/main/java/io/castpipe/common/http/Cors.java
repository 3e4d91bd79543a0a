package io.castpipe.common.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * Lets pages on any origin use a service from the browser: CORS headers on every response, and a
 * preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) answered here with what
 * the service's {@link Policy} allows. Every origin is allowed: Castpipe's credentials travel in
 * the Authorization header or the URL, never in cookies, so a page elsewhere can send nothing it
 * could not send already.
 */
public final class Cors implements HttpHandler {
    private static final HttpString ALLOW_ORIGIN = HttpString.tryFromString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_METHODS = HttpString.tryFromString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = HttpString.tryFromString("Access-Control-Allow-Headers");
    private static final HttpString EXPOSE_HEADERS = HttpString.tryFromString("Access-Control-Expose-Headers");
    private static final HttpString MAX_AGE = HttpString.tryFromString("Access-Control-Max-Age");
    private static final HttpString REQUEST_METHOD = HttpString.tryFromString("Access-Control-Request-Method");
    /** How long a browser may keep a preflight's answer, in seconds. */
    private static final String PREFLIGHT_MAX_AGE = "86400";

    /**
     * What one service lets pages do: the methods and request headers a preflight allows, and the
     * response headers a page's script may read. Each is a comma-separated header value.
     */
    public record Policy(String methods, String requestHeaders, String exposedHeaders) {
    }

    private final Policy policy;
    private final HttpHandler next;

    public Cors(Policy policy, HttpHandler next) {
        this.policy = policy;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        var headers = exchange.getResponseHeaders();
        headers.put(ALLOW_ORIGIN, "*");
        headers.put(EXPOSE_HEADERS, policy.exposedHeaders());
        if (exchange.getRequestMethod().equals(Methods.OPTIONS) && exchange.getRequestHeaders().contains(REQUEST_METHOD)) {
            headers.put(ALLOW_METHODS, policy.methods());
            headers.put(ALLOW_HEADERS, policy.requestHeaders());
            headers.put(MAX_AGE, PREFLIGHT_MAX_AGE);
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        next.handleRequest(exchange);
    }
}
