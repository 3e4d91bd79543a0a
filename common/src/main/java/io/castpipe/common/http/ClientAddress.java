package io.castpipe.common.http;

import java.net.InetAddress;

import io.castpipe.common.net.TrustedProxies;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;

/**
 * Who sent an HTTP request, for per-address limits and counts: the peer, or behind a trusted
 * proxy the client it names ({@link TrustedProxies}). Every {@code X-Forwarded-For} line is read,
 * in order, as one list: a proxy that adds a line of its own instead of appending to the
 * client's must not leave the client's line to be believed.
 */
public final class ClientAddress {
    private ClientAddress() {
    }

    public static InetAddress of(HttpServerExchange exchange, TrustedProxies proxies) {
        HeaderValues forwarded = exchange.getRequestHeaders().get(Headers.X_FORWARDED_FOR);
        return proxies.client(exchange.getSourceAddress().getAddress(), forwarded == null ? null : String.join(",", forwarded));
    }

    /** The client whose share a request takes; null for a trusted proxy that names no one (not limited as one client). */
    public static InetAddress limited(HttpServerExchange exchange, TrustedProxies proxies) {
        InetAddress client = of(exchange, proxies);
        return proxies.trusts(client) ? null : client;
    }
}
