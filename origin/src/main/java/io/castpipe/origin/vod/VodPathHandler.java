package io.castpipe.origin.vod;

import io.castpipe.origin.http.Errors;
import io.castpipe.origin.http.OriginRequest;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the path ({@link VodPath}) and starts the request's {@link OriginRequest}: segments,
 * init sections and images are immutable for a year; playlists and text tracks may be
 * replaced by a re-upload of the same video and are fresh for five minutes.
 */
public final class VodPathHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(VodPathHandler.class);
    static final long IMMUTABLE_MAX_AGE = 31_536_000;
    static final long MUTABLE_MAX_AGE = 300;

    private final HttpHandler next;

    public VodPathHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        VodPath path;
        try {
            path = VodPath.parse(exchange.getRequestURI());
        } catch (VodPath.Rejected e) {
            log.debug("refused {}: {}", exchange.getRequestURI(), e.getMessage());
            if (e.status() == 404) {
                Errors.notFound(exchange, e.getMessage());
            } else {
                Errors.badRequest(exchange, e.getMessage());
            }
            return;
        }
        boolean mutable = path.type().isText();
        new OriginRequest(path.storageKey(), path.videoId(), path.type(),
                mutable ? MUTABLE_MAX_AGE : IMMUTABLE_MAX_AGE, !mutable).attachTo(exchange);
        next.handleRequest(exchange);
    }
}
