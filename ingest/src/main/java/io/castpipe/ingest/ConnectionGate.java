package io.castpipe.ingest;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.castpipe.common.config.Setting;
import io.castpipe.common.net.AddressLimits;
import io.castpipe.common.net.RefusalLog;
import io.castpipe.ingest.session.Refusals;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which accepted connections may go on: at most {@code CASTPIPE_RTMP_MAX_CONNECTIONS} at once,
 * and at most {@code CASTPIPE_RTMP_MAX_CONNECTIONS_PER_ADDRESS} from one peer address (an IPv6
 * /64; RTMP comes without proxies, so the peer is the client). A refused connection is closed at
 * once and counted; the log gets a line a minute at most for each limit, with how many were
 * refused, so a peer connecting in a loop cannot flood it.
 */
final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    private final int maxConnections;
    private final AddressLimits perAddress;
    private final Refusals refusals;
    private final AtomicInteger connections = new AtomicInteger();
    private final RefusalLog processRefusals;
    private final RefusalLog perAddressRefusals;

    ConnectionGate(int maxConnections, int maxPerAddress, Refusals refusals) {
        this.maxConnections = maxConnections;
        this.perAddress = new AddressLimits(maxPerAddress);
        this.refusals = refusals;
        this.processRefusals = new RefusalLog(log, "RTMP connection(s): this process held " + maxConnections + " ("
                + Setting.RTMP_MAX_CONNECTIONS.env() + ")", LOG_EVERY);
        this.perAddressRefusals = new RefusalLog(log, "RTMP connection(s): over " + maxPerAddress + " from one address ("
                + Setting.RTMP_MAX_CONNECTIONS_PER_ADDRESS.env() + ")", LOG_EVERY);
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
            refuse(ch, address, Refusals.MAX_CONNECTIONS, processRefusals);
            return false;
        }
        if (!perAddress.tryAcquire(address)) {
            refuse(ch, address, Refusals.PER_ADDRESS, perAddressRefusals);
            return false;
        }
        ch.closeFuture().addListener(f -> perAddress.release(address));
        return true;
    }

    private void refuse(SocketChannel ch, InetAddress address, String reason, RefusalLog log) {
        refusals.count(reason);
        ch.close();
        log.refused(address.getHostAddress());
    }
}
