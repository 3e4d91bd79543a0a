package io.castpipe.chat.socket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.node.DaemonThreads;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up each accepted connection with the bounds Java-WebSocket does not keep itself: its
 * address's share of connections ({@link AddressGate}: a socket beyond it is closed here, unread),
 * a kernel send buffer fixed at {@link #SEND_BUFFER_BYTES} instead of growing to megabytes (so
 * what a client leaves unread waits in its bounded queue, where it is seen), a handshake that must
 * be complete within {@link #HANDSHAKE_TIMEOUT} and {@link #MAX_HANDSHAKE_BYTES}.
 */
final class GuardedSocketFactory implements WebSocketServerFactory {
    private static final Logger log = LoggerFactory.getLogger(GuardedSocketFactory.class);
    static final int SEND_BUFFER_BYTES = 64 * 1024;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Browsers send the site's cookies with the handshake, since cookies ignore the port. */
    static final int MAX_HANDSHAKE_BYTES = 32 * 1024;

    private final ScheduledExecutorService handshakeTimer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("chat-handshakes"));
    private final LingeringClose lingeringClose = new LingeringClose();
    private final AddressGate gate;

    GuardedSocketFactory(AddressGate gate) {
        this.gate = gate;
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
        return new WebSocketImpl(a, d);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
        return new WebSocketImpl(a, drafts);
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
        WebSocketImpl ws = (WebSocketImpl) key.attachment();
        InetAddress peer = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
        ClientChannel client = new ClientChannel(channel, peer, ws, MAX_HANDSHAKE_BYTES, lingeringClose);
        if (!gate.admit(client)) {
            // Java-WebSocket closes the socket.
            throw new IOException("over its address's share of connections");
        }
        try {
            channel.socket().setSendBufferSize(SEND_BUFFER_BYTES);
        } catch (SocketException e) {
            log.debug("chat connection: send buffer left as it was: {}", e.toString());
        }
        handshakeTimer.schedule(() -> {
            if (ws.getReadyState() == ReadyState.NOT_YET_CONNECTED) {
                ws.closeConnection(CloseFrame.POLICY_VALIDATION, "no handshake");
            }
        }, HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return client;
    }

    @Override
    public void close() {
        handshakeTimer.shutdownNow();
        lingeringClose.close();
    }
}
