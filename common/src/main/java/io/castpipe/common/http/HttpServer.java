package io.castpipe.common.http;

import java.net.BindException;

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
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private final String bindAddress;
    private final int port;
    private final PathHandler paths = new PathHandler(exchange ->
            JsonResponses.error(exchange, 404, "not_found", "no such path: " + exchange.getRequestPath()));
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

    public void start() {
        undertow = Undertow.builder()
                .addHttpListener(port, bindAddress)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1024L * 1024)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .setHandler(paths)
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            undertow = null;
            if (causedBy(e, BindException.class)) {
                throw ConfigException.portInUse("HTTP", port, Setting.HTTP_PORT, e);
            }
            throw e;
        }
        log.info("HTTP listening on {}:{}", bindAddress, port);
    }

    @Override
    public void close() {
        if (undertow != null) {
            undertow.stop();
            undertow = null;
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
