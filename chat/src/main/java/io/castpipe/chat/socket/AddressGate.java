package io.castpipe.chat.socket;

import java.net.InetAddress;

import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.common.net.AddressLimits;
import io.castpipe.common.net.RefusalLog;
import io.castpipe.common.net.TrustedProxies;
import org.slf4j.LoggerFactory;

/**
 * How many connections each client address holds ({@code CASTPIPE_CHAT_MAX_CONNECTIONS_PER_ADDRESS}),
 * counted from the moment a socket is accepted until it is closed, so that sockets which never
 * finish their handshake count as much as open WebSockets. A socket over its address's share is
 * still let through to its handshake, to be told why with a close frame (1008), while the address
 * holds no more than as many again of those; beyond that a socket is closed as it arrives, unread.
 *
 * <p>A connection from a trusted proxy is counted at its handshake, as the client its
 * {@code X-Forwarded-For} names; the proxy's own address is not limited, nor are the proxy's
 * connections that name no other client.
 */
final class AddressGate {
    private final TrustedProxies proxies;
    private final AddressLimits open;
    /** Sockets over their address's share, let through to their handshake only to be refused there. */
    private final AddressLimits refusing;
    private final ChatMeters meters;
    private final RefusalLog refusals;

    AddressGate(int perAddress, TrustedProxies proxies, ChatMeters meters) {
        this.proxies = proxies;
        this.open = new AddressLimits(perAddress);
        this.refusing = new AddressLimits(perAddress);
        this.meters = meters;
        this.refusals = new RefusalLog(LoggerFactory.getLogger(ChatServer.class),
                "chat connection(s): over " + perAddress + " from one address", ChatServer.REFUSAL_LOG_INTERVAL);
    }

    /** As the socket is accepted, before anything is read: false when it is to be closed at once. */
    boolean admit(ClientChannel channel) {
        InetAddress peer = channel.peer();
        if (proxies.trusts(peer)) {
            return true;
        }
        if (open.tryAcquire(peer)) {
            channel.hold(new AddressShare(open, peer), false);
            return true;
        }
        if (refusing.tryAcquire(peer)) {
            channel.hold(new AddressShare(refusing, peer), true);
            return true;
        }
        refused(peer);
        return false;
    }

    /** Once the handshake is in: false when the connection is over its client's share, to be closed with 1008. */
    boolean admitOpened(ClientChannel channel, String forwardedFor) {
        InetAddress peer = channel.peer();
        if (channel.overShare()) {
            refused(peer);
            return false;
        }
        if (!proxies.trusts(peer)) {
            return true;
        }
        InetAddress client = proxies.client(peer, forwardedFor);
        if (proxies.trusts(client)) {
            return true;
        }
        if (open.tryAcquire(client)) {
            channel.hold(new AddressShare(open, client), false);
            return true;
        }
        refused(client);
        return false;
    }

    private void refused(InetAddress client) {
        meters.dropped("address_limit");
        refusals.refused(client.getHostAddress());
    }

    /** What a connection holds of its client address's share, given back when its socket closes. */
    record AddressShare(AddressLimits limits, InetAddress client) {
        void release() {
            limits.release(client);
        }
    }
}
