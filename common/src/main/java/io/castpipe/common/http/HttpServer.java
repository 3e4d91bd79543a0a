package io.castpipe.common.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The node's one HTTP listener (Undertow). Each role mounts its paths on it: the API under
 * {@code /api}, the origin under {@code /live} and {@code /vod}, operations at {@code /healthz}
 * and {@code /metrics}. Anything unmounted is a JSON 404.
 *
 * <p>The HTTP port speaks HTTP/1.1 and cleartext HTTP/2, by {@code Upgrade: h2c} or with prior
 * knowledge; with {@link #https} the same paths are also served over TLS, HTTP/2 or HTTP/1.1 as
 * the client's ALPN offer decides.
 *
 * <p>{@link HttpBounds} limit what clients hold: connections in all and per address (refused as
 * they arrive, by {@link ConnectionGate}), how long a request head may take and how long a
 * connection may idle.
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
    /**
     * Largest request head (request line and headers; for HTTP/2 the decoded header list, which
     * Undertow holds to 20,000 bytes anyway). Undertow's own default is 1 MiB, which a slow client
     * could make every connection hold while it parses.
     */
    static final int MAX_HEADER_BYTES = 32 * 1024;

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
    private HttpBounds bounds = HttpBounds.defaults();
    private MeterRegistry registry = new SimpleMeterRegistry();
    private int httpsPort;
    private TlsIdentity tls;
    private XnioWorker worker;
    private ConnectionGate gate;
    private final List<AcceptingChannel<StreamConnection>> listeners = new ArrayList<>();

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

    /** What clients may hold (the settings' defaults unless given); call before {@link #start()}. */
    public HttpServer bounds(HttpBounds bounds) {
        this.bounds = bounds;
        return this;
    }

    /** Where the listener's meters go; call before {@link #start()}. */
    public HttpServer meterRegistry(MeterRegistry registry) {
        this.registry = registry;
        return this;
    }

    /**
     * Undertow's builder opens its listeners itself and offers no say over accepting, so the
     * listeners are put together here from Undertow's own parts (the open listeners it uses for
     * HTTP/1.1 with h2c, and for TLS with ALPN), each behind the {@link ConnectionGate}.
     */
    public void start() {
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        worker = startWorker(xnio);
        gate = new ConnectionGate(bounds, registry);
        HttpHandler root = exchange -> {
            gate.requestArrived(exchange.getConnection());
            paths.handleRequest(exchange);
        };
        OptionMap options = undertowOptions();
        ByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024 - 20, -1, 4);
        try {
            HttpOpenListener clear = new HttpOpenListener(buffers, options);
            clear.setRootHandler(new Http2UpgradeHandler(root));
            listen("HTTP", port, Setting.HTTP_PORT, gate.guarding(clear, UnaryOperator.identity()));
            if (tls != null) {
                HttpOpenListener http11 = new HttpOpenListener(buffers, options);
                http11.setRootHandler(root);
                Http2OpenListener http2 = new Http2OpenListener(buffers, options);
                http2.setRootHandler(root);
                AlpnOpenListener alpn = new AlpnOpenListener(buffers, options, http11);
                alpn.addProtocol(Http2OpenListener.HTTP2, http2, 10);
                UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
                        tls.sslContext());
                listen("HTTPS", httpsPort, Setting.HTTPS_PORT,
                        gate.guarding(alpn, tcp -> ssl.wrapExistingConnection(tcp, OptionMap.EMPTY, false)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("HTTP listening on {}:{} (HTTP/1.1, h2c); at most {} connections, {} per address", bindAddress, port,
                bounds.maxConnections(), bounds.maxConnectionsPerAddress());
        if (tls != null) {
            log.info("HTTPS listening on {}:{} (HTTP/2 and HTTP/1.1 by ALPN) with certificate {}", bindAddress, httpsPort,
                    tls.describe());
            if (tls.expiredAt(Instant.now())) {
                log.warn("the HTTPS certificate has expired; clients will refuse it until {} names a renewed one",
                        Setting.TLS_CERT.env());
            }
        }
    }

    /** Undertow's defaults, as its builder would start them. */
    private static XnioWorker startWorker(Xnio xnio) {
        int ioThreads = Math.max(Runtime.getRuntime().availableProcessors(), 2);
        try {
            return xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.WORKER_TASK_CORE_THREADS, ioThreads * 8)
                    .set(Options.WORKER_TASK_MAX_THREADS, ioThreads * 8)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the HTTP listener's threads", e);
        }
    }

    private OptionMap undertowOptions() {
        return OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.ENABLE_HTTP2, true)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS_PER_CONNECTION)
                .set(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .set(UndertowOptions.MAX_ENTITY_SIZE, 1024L * 1024)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) bounds.headerTimeout().toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) bounds.idleTimeout().toMillis())
                .getMap();
    }

    /** HTTP and HTTPS connections open now. */
    public int openConnections() {
        return gate == null ? 0 : gate.open();
    }

    private void listen(String name, int listenPort, Setting setting, ChannelListener<StreamConnection> open) {
        OptionMap socket = OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, worker.getIoThreadCount())
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BALANCING_TOKENS, 1)
                .set(Options.BALANCING_CONNECTIONS, 2)
                .set(Options.BACKLOG, 1000)
                .getMap();
        try {
            AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                    new InetSocketAddress(InetAddress.getByName(bindAddress), listenPort),
                    ChannelListeners.openListenerAdapter(open), socket);
            listeners.add(server);
            server.resumeAccepts();
        } catch (BindException e) {
            throw ConfigException.portInUse(name, listenPort, setting, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + listenPort + " for " + name, e);
        }
    }

    @Override
    public void close() {
        listeners.forEach(IoUtils::safeClose);
        listeners.clear();
        if (worker != null) {
            worker.shutdown();
            try {
                if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                    worker.shutdownNow();
                }
            } catch (InterruptedException e) {
                worker.shutdownNow();
                Thread.currentThread().interrupt();
            }
            worker = null;
        }
    }
}
