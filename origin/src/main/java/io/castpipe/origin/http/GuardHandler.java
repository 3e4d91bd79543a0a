package io.castpipe.origin.http;

import java.util.function.BooleanSupplier;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Outermost: 503 once the service is closed, and a JSON 500 (logged) for a bug further in. */
public final class GuardHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(GuardHandler.class);

    private final BooleanSupplier open;
    private final HttpHandler next;

    public GuardHandler(BooleanSupplier open, HttpHandler next) {
        this.open = open;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!open.getAsBoolean()) {
            // A CDN or player tries another origin, or this one again once it has restarted.
            Errors.tryLater(exchange, 503, "unavailable", "the origin is stopping", 5);
            return;
        }
        try {
            next.handleRequest(exchange);
        } catch (Exception | Error e) {
            log.error("serving {} failed", exchange.getRequestPath(), e);
            Errors.send(exchange, 500, "internal", "the origin failed to serve this request");
        }
    }
}
