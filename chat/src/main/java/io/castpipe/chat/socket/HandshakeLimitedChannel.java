package io.castpipe.chat.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

import org.java_websocket.WebSocketImpl;
import org.java_websocket.enums.ReadyState;

/**
 * A connection's socket that fails a read once more than {@code maxHandshakeBytes} arrived before
 * the WebSocket handshake completed. Java-WebSocket keeps an incomplete handshake growing and parses
 * it again with every read, so an endless request head would otherwise cost memory and CPU without bound.
 */
final class HandshakeLimitedChannel implements ByteChannel {
    private final SocketChannel socket;
    private final WebSocketImpl ws;
    private final int maxHandshakeBytes;
    private int handshakeBytes;

    HandshakeLimitedChannel(SocketChannel socket, WebSocketImpl ws, int maxHandshakeBytes) {
        this.socket = socket;
        this.ws = ws;
        this.maxHandshakeBytes = maxHandshakeBytes;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = socket.read(dst);
        if (n > 0 && ws.getReadyState() == ReadyState.NOT_YET_CONNECTED) {
            handshakeBytes += n;
            if (handshakeBytes > maxHandshakeBytes) {
                throw new IOException("a WebSocket handshake over " + maxHandshakeBytes + " bytes");
            }
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return socket.write(src);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
