package io.castpipe.api.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** {@code GET /api/openapi.json}: the hand-written OpenAPI document, served from the jar. */
public final class OpenApiHandler implements HttpHandler {
    private final byte[] document;

    public OpenApiHandler() {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream("/io/castpipe/api/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the api jar");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "public, max-age=300");
        exchange.getResponseSender().send(ByteBuffer.wrap(document));
    }
}
