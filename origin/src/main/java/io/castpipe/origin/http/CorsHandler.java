package io.castpipe.origin.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * First in the chain: CORS headers on every response so players on any page can read media
 * and errors, {@code OPTIONS} preflights answered here, and anything but GET and HEAD refused.
 */
public final class CorsHandler implements HttpHandler {
    static final String ALLOWED_METHODS = "GET, HEAD, OPTIONS";
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString EXPOSE_HEADERS = new HttpString("Access-Control-Expose-Headers");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
    private static final HttpString ALLOW = new HttpString("Allow");

    private final HttpHandler next;

    public CorsHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        var headers = exchange.getResponseHeaders();
        headers.put(ALLOW_ORIGIN, "*");
        headers.put(EXPOSE_HEADERS, "Content-Length, Content-Range, ETag");
        HttpString method = exchange.getRequestMethod();
        if (method.equals(Methods.OPTIONS)) {
            headers.put(ALLOW_METHODS, ALLOWED_METHODS);
            headers.put(ALLOW_HEADERS, "Range, If-None-Match, If-Range, Authorization");
            headers.put(MAX_AGE, "86400");
            headers.put(ALLOW, ALLOWED_METHODS);
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD)) {
            headers.put(ALLOW, ALLOWED_METHODS);
            Errors.send(exchange, 405, "method_not_allowed", "only GET, HEAD and OPTIONS are served here");
            return;
        }
        next.handleRequest(exchange);
    }
}
