package io.castpipe.api.http;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.castpipe.common.http.ClientAddress;
import io.castpipe.common.net.AddressLimits;
import io.castpipe.common.net.TrustedProxies;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * How many request bodies may be arriving at once: {@link #PER_ADDRESS} per client address (an
 * IPv6 client by its /64; a trusted proxy naming no client counts only on the node) and
 * {@link #PER_NODE} on the node. A body takes its place before anything else is done for its
 * request and gives it back when it ends, so chunks never take more than {@code PER_NODE} × 64 KiB.
 */
final class BodyAdmissions {
    /** Bodies one client address may have arriving at once: 4 MiB of chunks. */
    static final int PER_ADDRESS = 64;
    /** Bodies arriving at once on the node: at most 64 MiB of chunks, the budget RTMP reassembly has too. */
    static final int PER_NODE = 1024;
    private static final long RETRY_AFTER_SECONDS = 5;

    private final TrustedProxies proxies;
    private final AddressLimits perAddress = new AddressLimits(PER_ADDRESS);
    private final AtomicInteger admitted = new AtomicInteger();

    BodyAdmissions(TrustedProxies proxies) {
        this.proxies = proxies;
    }

    /**
     * A place for the body of {@code exchange}; a 429 when its client address has its share, a 503
     * when the node is full, both closing the connection rather than reading a body that will not
     * be used.
     */
    Admission admit(HttpServerExchange exchange) {
        InetAddress client = ClientAddress.limited(exchange, proxies);
        if (client != null && !perAddress.tryAcquire(client)) {
            throw refusal(exchange, ApiException.retryLater(429, "too_many_bodies", RETRY_AFTER_SECONDS, "this address has "
                    + PER_ADDRESS + " request bodies arriving already; send this one once one of them has ended"));
        }
        if (admitted.incrementAndGet() > PER_NODE) {
            admitted.decrementAndGet();
            if (client != null) {
                perAddress.release(client);
            }
            throw refusal(exchange, ApiException.retryLater(503, "busy", RETRY_AFTER_SECONDS,
                    "the server is receiving as many request bodies as it can; try again shortly"));
        }
        return new Admission(client);
    }

    /** Bodies admitted and not yet ended. */
    int admitted() {
        return admitted.get();
    }

    private static ApiException refusal(HttpServerExchange exchange, ApiException answer) {
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        return answer;
    }

    /** One body's place, given back once: by the body when it ends, or by its request if it never started. */
    final class Admission {
        private final InetAddress client;
        private final AtomicBoolean held = new AtomicBoolean(true);
        private volatile boolean receiving;

        private Admission(InetAddress client) {
            this.client = client;
        }

        /** The body is being received: it gives the place back when it ends. */
        void receiving() {
            receiving = true;
        }

        /** Gives the place back unless a body is being received with it. */
        void releaseUnlessReceiving() {
            if (!receiving) {
                release();
            }
        }

        void release() {
            if (held.compareAndSet(true, false)) {
                admitted.decrementAndGet();
                if (client != null) {
                    perAddress.release(client);
                }
            }
        }
    }
}
