package io.castpipe.origin.http;

import io.castpipe.common.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** Error responses: the API's JSON shape {@code {"error":{"code","message"}}}, never stored by a cache. */
public final class Errors {
    private Errors() {
    }

    public static void send(HttpServerExchange exchange, int status, String code, String message) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        JsonResponses.error(exchange, status, code, message);
    }

    /** A refusal the client may try again after {@code retryAfterSeconds} (429, 503): says so in {@code Retry-After}. */
    public static void tryLater(HttpServerExchange exchange, int status, String code, String message, long retryAfterSeconds) {
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, retryAfterSeconds);
        send(exchange, status, code, message);
    }

    public static void badRequest(HttpServerExchange exchange, String message) {
        send(exchange, 400, "bad_request", message);
    }

    public static void notFound(HttpServerExchange exchange, String message) {
        send(exchange, 404, "not_found", message);
    }
}
