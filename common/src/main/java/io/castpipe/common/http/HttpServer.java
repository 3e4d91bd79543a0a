package io.castpipe.common.http;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Instant;

import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one HTTP listener (Undertow). Each role mounts its paths on it: the API under
 * {@code /api}, the origin under {@code /live} and {@code /vod}, operations at {@code /healthz}
 * and {@code /metrics}. Anything unmounted is a JSON 404.
 *
 * <p>The HTTP port speaks HTTP/1.1 and cleartext HTTP/2, by {@code Upgrade: h2c} or with prior
 * knowledge; with {@link #https} the same paths are also served over TLS, HTTP/2 or HTTP/1.1 as
 * the client's ALPN offer decides.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /**
     * Streams one HTTP/2 connection may have open at once. A blocked playlist reload or hinted
     * part holds its stream for up to three target durations, and a proxy multiplexing many
     * viewers onto one connection needs many of them; the bound keeps one connection's share of
     * memory finite. Undertow announces it (SETTINGS_MAX_CONCURRENT_STREAMS) and clients keep to it.
     */
    static final int MAX_STREAMS_PER_CONNECTION = 1000;

    static {
        // Undertow logs through JBoss Logging, which would otherwise find Log4j's API on the
        // class path and go through its SLF4J bridge: three layers of level checks on every
        // request's trace calls, a few percent of the IO threads' time under load.
        if (System.getProperty("org.jboss.logging.provider") == null) {
            System.setProperty("org.jboss.logging.provider", "slf4j");
        }
    }

    private final String bindAddress;
    private final int port;
    private final PathHandler paths = new PathHandler(exchange ->
            JsonResponses.error(exchange, 404, "not_found", "no such path: " + exchange.getRequestPath()));
    private int httpsPort;
    private TlsIdentity tls;
    private Undertow undertow;

    public HttpServer(String bindAddress, int port) {
        this.bindAddress = bindAddress;
        this.port = port;
    }

    /** Serves {@code path} exactly. */
    public HttpServer exact(String path, HttpHandler handler) {
        paths.addExactPath(path, handler);
        return this;
    }

    /** Serves {@code prefix} and everything below it. */
    public HttpServer prefix(String prefix, HttpHandler handler) {
        paths.addPrefixPath(prefix, handler);
        return this;
    }

    /** Also serves every path over HTTPS on {@code port} with this certificate; call before {@link #start()}. */
    public HttpServer https(int port, TlsIdentity identity) {
        this.httpsPort = port;
        this.tls = identity;
        return this;
    }

    public void start() {
        Undertow.Builder builder = Undertow.builder()
                .addHttpListener(port, bindAddress)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS_PER_CONNECTION)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1024L * 1024)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .setHandler(paths);
        if (tls != null) {
            builder.addHttpsListener(httpsPort, bindAddress, tls.sslContext());
        }
        undertow = builder.build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            undertow = null;
            if (causedBy(e, BindException.class)) {
                // Undertow binds HTTP first and does not say which bind failed.
                throw tls != null && !canBind(httpsPort)
                        ? ConfigException.portInUse("HTTPS", httpsPort, Setting.HTTPS_PORT, e)
                        : ConfigException.portInUse("HTTP", port, Setting.HTTP_PORT, e);
            }
            throw e;
        }
        log.info("HTTP listening on {}:{} (HTTP/1.1, h2c)", bindAddress, port);
        if (tls != null) {
            log.info("HTTPS listening on {}:{} (HTTP/2 and HTTP/1.1 by ALPN) with certificate {}", bindAddress, httpsPort,
                    tls.describe());
            if (tls.expiredAt(Instant.now())) {
                log.warn("the HTTPS certificate has expired; clients will refuse it until {} names a renewed one",
                        Setting.TLS_CERT.env());
            }
        }
    }

    @Override
    public void close() {
        if (undertow != null) {
            undertow.stop();
            undertow = null;
        }
    }

    private boolean canBind(int candidate) {
        try (ServerSocket probe = new ServerSocket(candidate, 1, InetAddress.getByName(bindAddress))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
