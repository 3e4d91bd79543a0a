package io.castpipe.origin.live;

import java.util.concurrent.Executor;

import io.castpipe.origin.http.Errors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;

/**
 * A request waiting in {@link BlockedReloads}: once ready it goes on down the handler chain on
 * its connection's IO thread, as if it had just arrived; when its wait runs out it gets 503.
 */
final class ParkedExchange implements BlockedReloads.Waiter {
    private final HttpServerExchange exchange;
    private final HttpHandler next;
    private final String what;
    private final long limitSeconds;

    /** @param what what the request waits for, to say so in the 503 */
    ParkedExchange(HttpServerExchange exchange, HttpHandler next, String what, long limitSeconds) {
        this.exchange = exchange;
        this.next = next;
        this.what = what;
        this.limitSeconds = limitSeconds;
    }

    @Override
    public Executor executor() {
        return exchange.getIoThread();
    }

    /** Runs the rest of the chain here and now, as Undertow runs a handler (failures become 500s). */
    @Override
    public void ready() {
        exchange.dispatch(SameThreadExecutor.INSTANCE, next);
    }

    @Override
    public void expired() {
        exchange.dispatch(SameThreadExecutor.INSTANCE,
                ex -> Errors.tryLater(ex, 503, "not_yet", what + " did not appear within " + limitSeconds + " s", LiveWaitHandler.RETRY_SECONDS));
    }
}
