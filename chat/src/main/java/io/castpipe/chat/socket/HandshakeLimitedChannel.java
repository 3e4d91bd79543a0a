package io.castpipe.chat.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;

import org.java_websocket.WebSocketImpl;
import org.java_websocket.enums.ReadyState;

/**
 * A connection's socket, as Java-WebSocket reads and writes it, with two things the library does
 * not do itself. A read fails once more than {@code maxHandshakeBytes} arrived before the
 * WebSocket handshake completed: Java-WebSocket keeps an incomplete handshake growing and parses
 * it again with every read, so an endless request head would otherwise cost memory and CPU
 * without bound. And writes gather: the library writes its queue of frames one buffer per call,
 * so a client that many frames wait for (a busy room, a slow reader catching up) would cost a
 * system call per frame; the first such call here writes every queued frame it can at once (up
 * to {@link #MAX_GATHERED}), and the calls for the frames it already wrote then write nothing.
 */
final class HandshakeLimitedChannel implements ByteChannel {
    static final int MAX_GATHERED = 256;

    private final SocketChannel socket;
    private final WebSocketImpl ws;
    private final int maxHandshakeBytes;
    private int handshakeBytes;
    /** Only the selector thread writes, so one array serves every write of this connection. */
    private final ByteBuffer[] gathered = new ByteBuffer[MAX_GATHERED];

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

    /** Called by the selector thread with the head of the connection's queue, then with each next one. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        int count = 0;
        Iterator<ByteBuffer> waiting = ws.outQueue.iterator();
        if (waiting.hasNext() && waiting.next() == src) {
            gathered[count++] = src;
            while (count < MAX_GATHERED && waiting.hasNext()) {
                gathered[count++] = waiting.next();
            }
        } else {
            return socket.write(src);
        }
        int before = src.remaining();
        try {
            socket.write(gathered, 0, count);
        } finally {
            Arrays.fill(gathered, 0, count, null);
        }
        return before - src.remaining();
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
