package io.castpipe.chat.socket;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

import org.java_websocket.WebSocketImpl;
import org.java_websocket.WrappedByteChannel;
import org.java_websocket.enums.ReadyState;

/**
 * A connection's socket, as Java-WebSocket reads and writes it, with what the library does not do
 * itself:
 * <ul>
 * <li>A read fails once more than {@code maxHandshakeBytes} arrived before the WebSocket handshake
 * completed: the library keeps an incomplete handshake growing and parses it again with every
 * read, so an endless request head would otherwise cost memory and CPU without bound.</li>
 * <li>The room's frames are written at once, from the fan-out thread ({@link #writeIfIdle}), when
 * nothing else waits for this socket, which is nearly always. Through the library's queue each
 * frame would cost a hand-over to its selector thread, a wake-up, and two changes of the socket's
 * write interest (on, then off again): at thousands of clients, half again the CPU of the write
 * itself. What the socket does not take at once stays here, and the selector thread finishes it
 * ({@link #writeMore}) before anything queued later.</li>
 * <li>Writes from the queue gather: the library writes its queue one buffer per call, so a client
 * that many frames wait for (a slow reader catching up) would cost a system call per frame; the
 * first such call here writes every queued frame it can at once (up to {@link #MAX_GATHERED}),
 * and the calls for the frames it already wrote then write nothing.</li>
 * <li>After this node's close frame, the socket is closed by {@link LingeringClose}, which lets the
 * client read that frame and its code before the connection goes, instead of at once; when the
 * client closed its side first, or the connection is cut without a close frame, at once.</li>
 * </ul>
 * Writes hold this channel's lock, so that bytes from the two threads never interleave.
 */
final class ClientChannel implements WrappedByteChannel {
    static final int MAX_GATHERED = 256;

    private final SocketChannel socket;
    private final InetAddress peer;
    private final WebSocketImpl ws;
    private final int maxHandshakeBytes;
    private final LingeringClose lingeringClose;
    private int handshakeBytes;
    private volatile boolean clientClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The share of its client address's connections this socket holds until it is closed; null for none. */
    private volatile AddressGate.AddressShare share;
    private volatile boolean overShare;
    private final ByteBuffer[] gathered = new ByteBuffer[MAX_GATHERED];
    /** The rest of a frame written at once that the socket did not take all of; null when none. */
    private ByteBuffer unfinished;

    ClientChannel(SocketChannel socket, InetAddress peer, WebSocketImpl ws, int maxHandshakeBytes,
                  LingeringClose lingeringClose) {
        this.socket = socket;
        this.peer = peer;
        this.ws = ws;
        this.maxHandshakeBytes = maxHandshakeBytes;
        this.lingeringClose = lingeringClose;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = socket.read(dst);
        if (n < 0) {
            clientClosed = true;
        }
        if (n > 0 && ws.getReadyState() == ReadyState.NOT_YET_CONNECTED) {
            handshakeBytes += n;
            if (handshakeBytes > maxHandshakeBytes) {
                throw new IOException("a WebSocket handshake over " + maxHandshakeBytes + " bytes");
            }
        }
        return n;
    }

    /**
     * Writes {@code frames} now when nothing is queued or unfinished for this socket; what the
     * socket does not take stays here for the selector thread, which is asked to watch the socket.
     * False, writing nothing, when other frames wait: the caller queues these behind them.
     */
    synchronized boolean writeIfIdle(ByteBuffer frames) {
        if (unfinished != null || !ws.outQueue.isEmpty()) {
            return false;
        }
        try {
            socket.write(frames);
        } catch (IOException gone) {
            // The peer went away; the selector thread finds out when it reads and closes the connection.
            return true;
        }
        if (frames.hasRemaining()) {
            unfinished = frames;
            ws.getWebSocketListener().onWriteDemand(ws);
        }
        return true;
    }

    /** From the selector thread, with the head of the connection's queue, then with each next one. */
    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining() || !finishUnfinished()) {
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

    /** True when no part of a frame written at once waits any longer. */
    private boolean finishUnfinished() throws IOException {
        if (unfinished != null) {
            socket.write(unfinished);
            if (unfinished.hasRemaining()) {
                return false;
            }
            unfinished = null;
        }
        return true;
    }

    @Override
    public synchronized boolean isNeedWrite() {
        return unfinished != null;
    }

    @Override
    public synchronized void writeMore() throws IOException {
        finishUnfinished();
    }

    @Override
    public boolean isNeedRead() {
        return false;
    }

    @Override
    public int readMore(ByteBuffer dst) {
        return 0;
    }

    @Override
    public boolean isBlocking() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    /** Lingers after this node's close frame unless the client closed its side already; see {@link LingeringClose}. */
    @Override
    public void close() {
        if (ws.isFlushAndClose() && !clientClosed) {
            lingeringClose.close(this);
        } else {
            closeNow();
        }
    }

    void closeNow() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed all the same
            } finally {
                if (share != null) {
                    share.release();
                }
            }
        }
    }

    /** Holds {@code share} until closed; {@code overShare} when it was taken beyond the address's share, to refuse. */
    void hold(AddressGate.AddressShare share, boolean overShare) {
        this.share = share;
        this.overShare = overShare;
    }

    boolean overShare() {
        return overShare;
    }

    /** The address the connection comes from: the client, or a proxy in front of it. */
    InetAddress peer() {
        return peer;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** A read past Java-WebSocket, once it has let go of the connection. */
    int readRaw(ByteBuffer dst) throws IOException {
        return socket.read(dst);
    }
}
