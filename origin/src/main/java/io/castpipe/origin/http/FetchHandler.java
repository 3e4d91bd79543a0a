package io.castpipe.origin.http;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.castpipe.origin.cache.ObjectCache;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Looks the request's object up in the {@link ObjectCache}: on a hit the chain continues on
 * the IO thread; on a miss the exchange waits, holding no thread, for the (coalesced) storage
 * read. Storage failures become 502, a read slower than {@code timeout} 504.
 */
public final class FetchHandler implements HttpHandler {
    private final ObjectCache cache;
    private final Duration timeout;
    private final HttpHandler next;

    public FetchHandler(ObjectCache cache, Duration timeout, HttpHandler next) {
        this.cache = cache;
        this.timeout = timeout;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        OriginRequest request = OriginRequest.of(exchange);
        Async.await(exchange, cache.get(request.storageKey()), timeout, (ex, lookup, error) -> {
            if (error instanceof TimeoutException) {
                Errors.send(ex, 504, "storage_timeout", "object storage did not answer in time");
            } else if (error != null) {
                Errors.send(ex, 502, "storage_error", "object storage failed; try again");
            } else {
                request.lookup(lookup);
                next.handleRequest(ex);
            }
        });
    }
}
