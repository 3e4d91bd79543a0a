package io.castpipe.api.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

import io.castpipe.api.channels.ChannelsEndpoint;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
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

    private WebPages() {
    }

    /**
     * Mounts the pages; {@code publicUrl} is where the API's playback, poster and storyboard
     * URLs point (this node, or a CDN), which the pages must be allowed to load from.
     */
    public static void mount(HttpServer http, String publicUrl) {
        String policy = policy(origin(publicUrl));
        byte[] notFound = page("not-found.html");
        http.exact("/", new Page(page("index.html"), notFound, policy, rest -> true));
        http.exact("/dashboard", new Page(page("dashboard.html"), notFound, policy, rest -> true));
        http.prefix("/watch", new Page(page("watch.html"), notFound, policy,
                rest -> ChannelsEndpoint.isValidName(slashless(rest))));
        http.prefix("/videos", new Page(page("video.html"), notFound, policy,
                rest -> Ids.isValid(slashless(rest))));
        ResourceHandler statics = new ResourceHandler(new ClassPathResourceManager(WebPages.class.getClassLoader(), ROOT + "static"))
                .setDirectoryListingEnabled(false)
                .setCacheTime(60);
        http.prefix("/static", exchange -> {
            secure(exchange, policy);
            statics.handleRequest(exchange);
        });
        // Browsers ask for it whatever a page names.
        http.exact("/favicon.ico", exchange -> {
            exchange.setRelativePath("/favicon.svg");
            secure(exchange, policy);
            statics.handleRequest(exchange);
        });
    }

    /**
     * Scripts and styles come from this origin only, and nothing may frame the pages. Media,
     * playlists, posters and storyboards come from this origin or from the public URL's (which
     * differs when the page was opened at another host name, or a CDN serves media); the chat
     * WebSocket has a port of its own, hence {@code ws:}/{@code wss:}; media arrives as blobs
     * from hls.js, which also starts its transmuxing worker from a blob.
     */
    static String policy(String mediaOrigin) {
        return "default-src 'self'; connect-src 'self' " + mediaOrigin + " ws: wss:; media-src 'self' " + mediaOrigin
                + " blob:; img-src 'self' " + mediaOrigin + " data: blob:; worker-src 'self' blob:; object-src 'none'; "
                + "base-uri 'none'; frame-ancestors 'none'";
    }

    /** "https://cdn.example.com/castpipe" → "https://cdn.example.com": rebuilt from its parts, so nothing else reaches the policy. */
    static String origin(String publicUrl) {
        URI uri;
        try {
            uri = new URI(publicUrl);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new ConfigException(Setting.PUBLIC_URL.env() + "=" + publicUrl
                    + " is not an http or https URL; set it like https://video.example.com or unset it");
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
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

    private static void secure(HttpServerExchange exchange, String policy) {
        exchange.getResponseHeaders()
                .put(HttpString.tryFromString("Content-Security-Policy"), policy)
                .put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff")
                .put(HttpString.tryFromString("Referrer-Policy"), "same-origin");
    }

    /** One page, for the paths below its mount that {@code accepts} (given the rest of the path after the mount). */
    private record Page(byte[] html, byte[] notFound, String policy, Predicate<String> accepts) implements HttpHandler {
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
            secure(exchange, policy);
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
