package io.castpipe.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import io.castpipe.ingest.amf.Amf0;
import io.castpipe.ingest.amf.Amf0Decoder;
import io.castpipe.ingest.amf.Amf0Encoder;
import io.castpipe.ingest.chunk.ReassemblyPool;
import io.castpipe.ingest.chunk.RtmpChunkDecoder;
import io.castpipe.ingest.chunk.RtmpMessage;
import io.castpipe.common.net.LoopbackSockets;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * A hand-driven RTMP peer for hostile tests: connects from a chosen local address, does the
 * handshake, and writes exactly the chunks a test asks for. A reader thread keeps what the server
 * sends and notices when it closes the connection.
 */
final class RawRtmpClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile boolean closedByServer;
    private int chunkSize = RtmpChunkDecoder.DEFAULT_CHUNK_SIZE;

    private RawRtmpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        Thread reader = new Thread(this::read, "raw-rtmp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects from {@code from} (an address on lo, such as 127.0.0.2) without a handshake. */
    static RawRtmpClient connect(String from, int port) throws IOException {
        Socket s = LoopbackSockets.connect(from, port);
        s.setTcpNoDelay(true);
        return new RawRtmpClient(s);
    }

    /** Connects from {@code from} and does the handshake. */
    static RawRtmpClient handshaken(String from, int port) throws IOException, InterruptedException {
        RawRtmpClient c = connect(from, port);
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3;
        c.out.write(c0c1);
        c.awaitReceived(1 + 2 * 1536, Duration.ofSeconds(10));
        c.out.write(new byte[1536]);
        synchronized (c.received) {
            c.received.reset();
        }
        return c;
    }

    private void read() {
        byte[] buf = new byte[16384];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (received) {
                    received.write(buf, 0, n);
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            // reset by the server, or closed by the test
        }
        closedByServer = !socket.isClosed();
        synchronized (received) {
            received.notifyAll();
        }
    }

    private void awaitReceived(int bytes, Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (received) {
            while (received.size() < bytes) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closedByServer) {
                    throw new IOException("the server sent " + received.size() + " of " + bytes + " bytes");
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** True once the server closed the connection (waiting up to {@code limit}). */
    boolean closedByServer(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (received) {
            while (!closedByServer && System.nanoTime() < deadline) {
                received.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
        return closedByServer;
    }

    /** Writes raw bytes; false when the server has closed the connection. */
    boolean write(byte[] bytes) {
        try {
            out.write(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A format 0 chunk header: the start of a message of {@code length} bytes on {@code csid}. */
    static byte[] header(int csid, int typeId, int length, int messageStreamId) {
        return new byte[] {(byte) csid, 0, 0, 0, (byte) (length >>> 16), (byte) (length >>> 8), (byte) length,
                (byte) typeId, (byte) messageStreamId, (byte) (messageStreamId >>> 8), (byte) (messageStreamId >>> 16),
                (byte) (messageStreamId >>> 24)};
    }

    /** A format 3 chunk header: the next chunk of the message in progress on {@code csid} (below 64). */
    static byte[] continuation(int csid) {
        return new byte[] {(byte) (0xC0 | csid)};
    }

    /** Announces the chunk size this client cuts its messages at from now on. */
    boolean chunkSize(int size) {
        byte[] m = concat(header(2, RtmpMessage.SET_CHUNK_SIZE, 4, 0),
                new byte[] {(byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size});
        chunkSize = size;
        return write(m);
    }

    /** A whole AMF0 command, cut at this client's chunk size. */
    boolean command(int messageStreamId, Object... values) {
        byte[] body = Amf0Encoder.encode(values);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(header(3, RtmpMessage.COMMAND_AMF0, body.length, messageStreamId));
        for (int at = 0; at < body.length; at += chunkSize) {
            if (at > 0) {
                m.writeBytes(continuation(3));
            }
            m.write(body, at, Math.min(chunkSize, body.length - at));
        }
        return write(m.toByteArray());
    }

    /**
     * Connects to app {@code live}, creates a stream and publishes with {@code key}, as ffmpeg does;
     * returns once the server answered NetStream.Publish.Start (or fails).
     */
    void publish(String key, Duration limit) throws IOException, InterruptedException {
        command(0, "connect", 1.0, Amf0.object("app", "live", "type", "nonprivate", "tcUrl", "rtmp://127.0.0.1/live"));
        command(0, "createStream", 2.0, null);
        command(1, "publish", 3.0, null, key, "live");
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && !closedByServer) {
            for (RtmpMessage m : receivedMessages()) {
                if (m.typeId() == RtmpMessage.COMMAND_AMF0) {
                    String text = String.valueOf(Amf0Decoder.decodeAll(m.payload()));
                    if (text.contains("NetStream.Publish.Start")) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IOException("no NetStream.Publish.Start within " + limit + "; closed by the server: " + closedByServer);
    }

    /** Everything the server sent since the handshake, decoded. */
    List<RtmpMessage> receivedMessages() {
        byte[] bytes;
        synchronized (received) {
            bytes = received.toByteArray();
        }
        RtmpChunkDecoder decoder = new RtmpChunkDecoder(new ReassemblyPool(1 << 20));
        decoder.publishAccepted();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        List<RtmpMessage> out = new java.util.ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((RtmpMessage) o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
