package io.castpipe.api.http;

import io.castpipe.api.auth.Authenticator;
import io.castpipe.api.auth.Caller;
import io.castpipe.common.http.JsonResponses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Endpoint} off the IO thread with the authenticated caller once its
 * {@link RateLimits} admit it, and turns every
 * failure into API.md's JSON error: an {@link ApiException} as it says, anything else as a 500
 * with one log line naming the video.
 */
public final class EndpointHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(EndpointHandler.class);

    private final Authenticator authenticator;
    private final RateLimits rateLimits;
    private final RateLimits.Kind kind;
    private final Endpoint endpoint;

    public EndpointHandler(Authenticator authenticator, RateLimits rateLimits, RateLimits.Kind kind, Endpoint endpoint) {
        this.authenticator = authenticator;
        this.rateLimits = rateLimits;
        this.kind = kind;
        this.endpoint = endpoint;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        try {
            Caller caller = authenticate(exchange);
            rateLimits.admit(exchange, caller, kind);
            endpoint.handle(new ApiRequest(exchange, caller));
        } catch (ApiException e) {
            if (e.status() == 401) {
                exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            }
            if (e.retryAfterSeconds() > 0) {
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER, e.retryAfterSeconds());
            }
            respond(exchange, e.status(), e.code(), e.getMessage());
        } catch (Exception | Error e) {
            log.error("{} {} failed (video {}): {}", exchange.getRequestMethod(), exchange.getRequestPath(),
                    ApiRequest.videoIdOf(exchange), describe(e));
            log.debug("stack trace", e);
            respond(exchange, 500, "internal", "the server failed to handle this request; it has been logged");
        }
    }

    private Caller authenticate(HttpServerExchange exchange) {
        try {
            return authenticator.authenticate(exchange);
        } catch (ApiException e) {
            if (e.status() == 401) {
                rateLimits.refusedToken(exchange);
            }
            throw e;
        }
    }

    private static void respond(HttpServerExchange exchange, int status, String code, String message) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().remove(Headers.LOCATION);
        JsonResponses.error(exchange, status, code, message);
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(" <- ").append(c);
        }
        return s.toString();
    }
}
