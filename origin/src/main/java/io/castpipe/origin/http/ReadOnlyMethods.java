package io.castpipe.origin.http;

import io.castpipe.common.http.Cors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * The origin only serves: GET and HEAD go on, a plain {@code OPTIONS} is told what is allowed,
 * anything else is refused with 405.
 */
public final class ReadOnlyMethods implements HttpHandler {
    static final String ALLOWED = "GET, HEAD, OPTIONS";
    /** What pages may do with the origin's media: read it, by range and revalidated, and read its length and ETag. */
    public static final Cors.Policy CORS = new Cors.Policy(ALLOWED, "Range, If-None-Match, If-Range, Authorization",
            "Content-Length, Content-Range, ETag");
    private static final HttpString ALLOW = new HttpString("Allow");

    private final HttpHandler next;

    public ReadOnlyMethods(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HttpString method = exchange.getRequestMethod();
        if (method.equals(Methods.GET) || method.equals(Methods.HEAD)) {
            next.handleRequest(exchange);
            return;
        }
        exchange.getResponseHeaders().put(ALLOW, ALLOWED);
        if (method.equals(Methods.OPTIONS)) {
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        Errors.send(exchange, 405, "method_not_allowed", "only GET, HEAD and OPTIONS are served here");
    }
}
