package io.castpipe.origin.http;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting for a future without holding a thread: a completed future continues at once on the
 * IO thread; otherwise the exchange is dispatched (it stays open after the handler returns)
 * and the continuation runs back on the exchange's IO thread when the future completes, or
 * with a {@link java.util.concurrent.TimeoutException} after {@code timeout}.
 */
public final class Async {
    private static final Logger log = LoggerFactory.getLogger(Async.class);

    private Async() {
    }

    @FunctionalInterface
    public interface Continuation<T> {
        /** Exactly one of {@code value} and {@code error} is meaningful. */
        void resume(HttpServerExchange exchange, T value, Throwable error) throws Exception;
    }

    public static <T> void await(HttpServerExchange exchange, CompletableFuture<T> future, Duration timeout,
                                 Continuation<T> next) throws Exception {
        if (future.isDone()) {
            T value = null;
            Throwable error = null;
            try {
                value = future.get();
            } catch (ExecutionException | CancellationException e) {
                error = unwrap(e);
            }
            next.resume(exchange, value, error);
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> future.copy()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((value, error) -> exchange.dispatch(exchange.getIoThread(), ex -> {
                    try {
                        next.resume(ex, value, unwrap(error));
                    } catch (Exception | Error e) {
                        log.error("serving {} failed", ex.getRequestPath(), e);
                        Errors.send(ex, 500, "internal", "the origin failed to serve this request");
                    }
                })));
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
