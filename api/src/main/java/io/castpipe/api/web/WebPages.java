package io.castpipe.api.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

import io.castpipe.api.channels.ChannelsEndpoint;
import io.castpipe.common.http.HttpServer;
import io.castpipe.common.media.Ids;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * The web pages: {@code /} (live now, latest videos), {@code /watch/{channel}} (live player and
 * chat), {@code /videos/{id}} (VOD player), {@code /dashboard} (channels, stream keys, uploads),
 * and what they load from {@code /static/} (their scripts and styles, and hls.js, kept in this
 * module so that nothing comes from another site). Each page is a fixed HTML file whose script
 * reads the channel or video from the address and asks {@code /api} for the rest; a malformed
 * name or id is the not-found page with a 404.
 */
public final class WebPages {
    private static final String ROOT = "io/castpipe/api/web/";
    /**
     * Scripts and styles come from this origin only, and nothing may frame the pages. The chat
     * WebSocket has a port of its own, hence {@code ws:}/{@code wss:}; media arrives as blobs
     * from hls.js.
     */
    private static final String POLICY = "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; "
            + "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private WebPages() {
    }

    public static void mount(HttpServer http) {
        byte[] notFound = page("not-found.html");
        http.exact("/", new Page(page("index.html"), notFound, rest -> true));
        http.exact("/dashboard", new Page(page("dashboard.html"), notFound, rest -> true));
        http.prefix("/watch", new Page(page("watch.html"), notFound, rest -> ChannelsEndpoint.isValidName(slashless(rest))));
        http.prefix("/videos", new Page(page("video.html"), notFound, rest -> Ids.isValid(slashless(rest))));
        ResourceHandler statics = new ResourceHandler(new ClassPathResourceManager(WebPages.class.getClassLoader(), ROOT + "static"))
                .setDirectoryListingEnabled(false)
                .setCacheTime(60);
        http.prefix("/static", exchange -> {
            secure(exchange);
            statics.handleRequest(exchange);
        });
    }

    /** "/name" → "name"; anything else (nothing, more segments) → "" which no check accepts. */
    private static String slashless(String rest) {
        return rest.startsWith("/") && rest.indexOf('/', 1) < 0 ? rest.substring(1) : "";
    }

    private static byte[] page(String name) {
        try (InputStream in = WebPages.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the web page " + name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void secure(HttpServerExchange exchange) {
        exchange.getResponseHeaders()
                .put(HttpString.tryFromString("Content-Security-Policy"), POLICY)
                .put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff")
                .put(HttpString.tryFromString("Referrer-Policy"), "same-origin");
    }

    /** One page, for the paths below its mount that {@code accepts} (given the rest of the path after the mount). */
    private record Page(byte[] html, byte[] notFound, Predicate<String> accepts) implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange exchange) {
            if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.setStatusCode(405);
                exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
                exchange.endExchange();
                return;
            }
            boolean found = accepts.test(exchange.getRelativePath());
            byte[] body = found ? html : notFound;
            exchange.setStatusCode(found ? 200 : 404);
            secure(exchange);
            exchange.getResponseHeaders()
                    .put(Headers.CONTENT_TYPE, "text/html; charset=utf-8")
                    .put(Headers.CACHE_CONTROL, "no-cache");
            if (exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
                exchange.endExchange();
            } else {
                exchange.getResponseSender().send(ByteBuffer.wrap(body));
            }
        }
    }
}
