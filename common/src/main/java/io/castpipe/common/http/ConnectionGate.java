package io.castpipe.common.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.castpipe.common.net.AddressLimits;
import io.castpipe.common.net.RefusalLog;
import io.castpipe.common.net.TrustedProxies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.ServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.ConnectedChannel;

/**
 * Admits each accepted TCP connection of the HTTP and HTTPS ports before Undertow sees a byte
 * of it: at most {@code maxConnections} open in all and {@code maxConnectionsPerAddress} per
 * client address (an IPv6 /64; trusted proxies excepted). One over is closed at once, counted,
 * and logged at most once a minute, so a flood cannot flood the log too.
 *
 * <p>It also gives each connection until the header timeout to bring its first request head.
 * Undertow times out a request head only once one has begun on HTTP/1.1, and not at all on a
 * TLS handshake or an HTTP/2 connection before its first stream; later requests are Undertow's
 * (header timeout for HTTP/1.1, idle timeout once an HTTP/2 connection has no stream open).
 */
final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    private final int maxConnections;
    private final AddressLimits perAddress;
    private final TrustedProxies trusted;
    private final long headerTimeoutMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<Ends, XnioExecutor.Key> awaitingFirstRequest = new ConcurrentHashMap<>();
    private final RefusalLog perAddressRefusals;
    private final RefusalLog processRefusals;
    private final Counter refusedPerAddress;
    private final Counter refusedProcess;

    ConnectionGate(HttpBounds bounds, MeterRegistry registry) {
        this.maxConnections = bounds.maxConnections();
        this.perAddress = new AddressLimits(bounds.maxConnectionsPerAddress());
        this.trusted = bounds.trustedProxies();
        this.headerTimeoutMillis = bounds.headerTimeout().toMillis();
        this.refusedPerAddress = refusedCounter(registry, "per_address");
        this.refusedProcess = refusedCounter(registry, "process");
        this.perAddressRefusals = new RefusalLog(log, "HTTP connection(s): over " + perAddress.perAddress()
                + " from one address", LOG_EVERY);
        this.processRefusals = new RefusalLog(log, "HTTP connection(s): this process held " + maxConnections, LOG_EVERY);
        Gauge.builder("castpipe.http.connections.open", open, AtomicInteger::get)
                .description("HTTP and HTTPS connections this process holds").register(registry);
    }

    int open() {
        return open.get();
    }

    /**
     * An open listener that admits each connection, hands what {@code wrap} makes of it (the TLS
     * layer, or the connection itself) to {@code next}, and gives its place back when it closes.
     */
    ChannelListener<StreamConnection> guarding(ChannelListener<? super StreamConnection> next,
                                              UnaryOperator<StreamConnection> wrap) {
        return connection -> {
            InetAddress peer = connection.getPeerAddress(InetSocketAddress.class).getAddress();
            Runnable release = admit(peer);
            if (release == null) {
                IoUtils.safeClose(connection);
                return;
            }
            Ends ends = Ends.of(connection);
            awaitingFirstRequest.put(ends, connection.getIoThread().executeAfter(() -> {
                if (awaitingFirstRequest.remove(ends) != null) {
                    log.debug("closed an HTTP connection from {} that sent no request head within the header timeout",
                            peer.getHostAddress());
                    IoUtils.safeClose(connection);
                }
            }, headerTimeoutMillis, TimeUnit.MILLISECONDS));
            try {
                ChannelListeners.invokeChannelListener(wrap.apply(connection), next);
            } finally {
                releaseOnClose(connection, () -> {
                    release.run();
                    forgetDeadline(ends);
                });
            }
        };
    }

    /** A request head arrived whole on {@code connection}: its first-request deadline, if still armed, is off. */
    void requestArrived(ServerConnection connection) {
        if (!awaitingFirstRequest.isEmpty()) {
            forgetDeadline(Ends.of(connection));
        }
    }

    private void forgetDeadline(Ends ends) {
        XnioExecutor.Key deadline = awaitingFirstRequest.remove(ends);
        if (deadline != null) {
            deadline.remove();
        }
    }

    /** @return what gives the place back, or null when the connection is refused */
    private Runnable admit(InetAddress peer) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refused(refusedProcess, peer, processRefusals);
            return null;
        }
        boolean limited = !trusted.trusts(peer);
        if (limited && !perAddress.tryAcquire(peer)) {
            open.decrementAndGet();
            refused(refusedPerAddress, peer, perAddressRefusals);
            return null;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
                if (limited) {
                    perAddress.release(peer);
                }
            }
        };
    }

    /**
     * Undertow sets the connection's one close listener while it opens it (the TLS layer, on a
     * connection of its own, leaves the TCP connection's alone), so ours goes after and calls
     * Undertow's. A connection already closed by then gives its place back here.
     */
    private static void releaseOnClose(StreamConnection connection, Runnable release) {
        ChannelListener<? super StreamConnection> undertows = connection.getCloseListener();
        connection.setCloseListener(c -> {
            release.run();
            ChannelListeners.invokeChannelListener(c, undertows);
        });
        if (!connection.isOpen()) {
            release.run();
        }
    }

    private void refused(Counter counter, InetAddress peer, RefusalLog refusals) {
        counter.increment();
        refusals.refused(peer.getHostAddress());
    }

    /** A connection by its two ends, which its TCP, TLS and HTTP layers all report alike. */
    private record Ends(SocketAddress local, SocketAddress peer) {
        static Ends of(ConnectedChannel channel) {
            return new Ends(channel.getLocalAddress(), channel.getPeerAddress());
        }
    }

    private static Counter refusedCounter(MeterRegistry registry, String reason) {
        return Counter.builder("castpipe.http.connections.refused").tag("reason", reason)
                .description("HTTP and HTTPS connections closed as they arrived, over a connection limit")
                .register(registry);
    }
}
