package io.castpipe.ingest;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.castpipe.common.config.Setting;
import io.castpipe.common.net.AddressLimits;
import io.castpipe.ingest.session.Refusals;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which accepted connections may go on: at most {@code CASTPIPE_RTMP_MAX_CONNECTIONS} at once,
 * and at most {@code CASTPIPE_RTMP_MAX_CONNECTIONS_PER_ADDRESS} from one peer address (an IPv6
 * /64; RTMP comes without proxies, so the peer is the client). A refused connection is closed at
 * once and counted; the log gets one line per address a minute, for at most
 * {@link #MAX_LOGGED_ADDRESSES} addresses, so a peer connecting in a loop cannot flood it.
 */
final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final int MAX_LOGGED_ADDRESSES = 100;

    private final int maxConnections;
    private final AddressLimits perAddress;
    private final Refusals refusals;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Long> lastLogged = new ConcurrentHashMap<>();

    ConnectionGate(int maxConnections, int maxPerAddress, Refusals refusals) {
        this.maxConnections = maxConnections;
        this.perAddress = new AddressLimits(maxPerAddress);
        this.refusals = refusals;
    }

    /** Open connections, refused ones not yet closed included. */
    AtomicInteger connections() {
        return connections;
    }

    /** True when the connection may go on; otherwise it is being closed. Either way its close is accounted for. */
    boolean admit(SocketChannel ch) {
        int count = connections.incrementAndGet();
        ch.closeFuture().addListener(f -> connections.decrementAndGet());
        if (ch.remoteAddress() == null) { // the peer was gone before we got to it
            ch.close();
            return false;
        }
        InetAddress address = ch.remoteAddress().getAddress();
        if (count > maxConnections) {
            refuse(ch, address, Refusals.MAX_CONNECTIONS, "already " + (count - 1) + " connections (" + maxConnections
                    + " is the most; " + Setting.RTMP_MAX_CONNECTIONS.env() + ")");
            return false;
        }
        if (!perAddress.tryAcquire(address)) {
            refuse(ch, address, Refusals.PER_ADDRESS, "already " + perAddress.perAddress() + " connections from this address ("
                    + "the most; " + Setting.RTMP_MAX_CONNECTIONS_PER_ADDRESS.env() + ")");
            return false;
        }
        ch.closeFuture().addListener(f -> perAddress.release(address));
        return true;
    }

    private void refuse(SocketChannel ch, InetAddress address, String reason, String why) {
        refusals.count(reason);
        ch.close();
        if (firstThisMinute(address)) {
            log.warn("rtmp {}: refused, {}; more refusals of this address in the next minute are only counted",
                    ch.remoteAddress(), why);
        }
    }

    private boolean firstThisMinute(InetAddress address) {
        long now = System.nanoTime();
        if (lastLogged.size() >= MAX_LOGGED_ADDRESSES) {
            lastLogged.values().removeIf(at -> now - at >= LOG_EVERY_NANOS);
            if (lastLogged.size() >= MAX_LOGGED_ADDRESSES && !lastLogged.containsKey(address)) {
                return false;
            }
        }
        boolean[] first = {false};
        lastLogged.compute(address, (a, at) -> {
            if (at == null || now - at >= LOG_EVERY_NANOS) {
                first[0] = true;
                return now;
            }
            return at;
        });
        return first[0];
    }
}
