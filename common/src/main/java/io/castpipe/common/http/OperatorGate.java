package io.castpipe.common.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Lets through only requests bearing one of the operator's tokens ({@code Authorization:
 * Bearer}): what a node says about its internals (its meters) is not for everyone who can reach
 * it. With no token configured nothing gets through, and the refusal says which setting opens it.
 */
public final class OperatorGate implements HttpHandler {
    private final List<byte[]> tokenHashes;
    private final String howToOpen;
    private final HttpHandler next;

    /** {@code tokens} may hold nulls (a token the node does not have). */
    public OperatorGate(List<String> tokens, String howToOpen, HttpHandler next) {
        this.tokenHashes = tokens.stream().filter(Objects::nonNull).map(OperatorGate::sha256).toList();
        this.howToOpen = howToOpen;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            JsonResponses.error(exchange, 401, "unauthorized", "this needs an operator token: " + howToOpen);
            return;
        }
        byte[] offered = sha256(header.substring(7).trim());
        boolean known = false;
        for (byte[] hash : tokenHashes) {
            // Digests of equal length keep the comparison constant-time whatever was sent.
            known |= MessageDigest.isEqual(offered, hash);
        }
        if (!known) {
            JsonResponses.error(exchange, 403, "forbidden", "this token may not read this; " + howToOpen);
            return;
        }
        next.handleRequest(exchange);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
