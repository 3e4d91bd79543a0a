package io.castpipe.api.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * Lets browser pages on any origin call the API, tus uploads included (tus-js-client and Uppy
 * send and read custom headers). Tokens travel in the Authorization header, never in cookies,
 * so allowing every origin exposes nothing a page could not already send.
 */
public final class Cors implements HttpHandler {
    static final HttpString ALLOW_ORIGIN = HttpString.tryFromString("Access-Control-Allow-Origin");
    static final HttpString ALLOW_METHODS = HttpString.tryFromString("Access-Control-Allow-Methods");
    static final HttpString ALLOW_HEADERS = HttpString.tryFromString("Access-Control-Allow-Headers");
    static final HttpString EXPOSE_HEADERS = HttpString.tryFromString("Access-Control-Expose-Headers");
    static final HttpString MAX_AGE = HttpString.tryFromString("Access-Control-Max-Age");
    static final HttpString REQUEST_METHOD = HttpString.tryFromString("Access-Control-Request-Method");

    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Tus-Resumable, Upload-Length, "
            + "Upload-Offset, Upload-Metadata, Upload-Defer-Length, Upload-Concat, X-HTTP-Method-Override, X-Requested-With";
    private static final String EXPOSED_HEADERS = "Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, "
            + "Upload-Length, Upload-Offset, Upload-Metadata, Upload-Expires, Castpipe-Video-Id";

    private final HttpHandler next;

    public Cors(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        var headers = exchange.getResponseHeaders();
        headers.put(ALLOW_ORIGIN, "*");
        headers.put(EXPOSE_HEADERS, EXPOSED_HEADERS);
        if (exchange.getRequestMethod().equals(Methods.OPTIONS) && exchange.getRequestHeaders().contains(REQUEST_METHOD)) {
            headers.put(ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
            headers.put(ALLOW_HEADERS, ALLOWED_HEADERS);
            headers.put(MAX_AGE, "86400");
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        next.handleRequest(exchange);
    }
}
