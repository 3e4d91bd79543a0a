package io.castpipe.bench.chat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.castpipe.bench.SelectorLoop;

/**
 * Many WebSocket connections (RFC 6455, text frames only) driven by a few {@link SelectorLoop}s, no
 * thread per connection: what it takes to put thousands of chat viewers on one machine beside
 * the server. Frames from the server are unmasked; frames to it are masked, as the RFC says.
 * The {@link Handler} runs on the connection's selector thread.
 */
final class WebSocketClients implements AutoCloseable {
    /** A frame bigger than this ends the connection: a chat frame is small. */
    private static final int MAX_FRAME = 1 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    interface Handler {
        void opened(Client client);

        /** One whole text frame; {@code arrivedNanos} is when the read that completed it returned. */
        void text(Client client, byte[] payload, int offset, int length, long arrivedNanos);

        void closed(Client client, String why);
    }

    private final List<SelectorLoop> loops = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();

    WebSocketClients(int threads) throws IOException {
        for (int i = 0; i < threads; i++) {
            loops.add(new SelectorLoop("ws-client-" + i));
        }
    }

    /** Connects to {@code ws://address/path} (the handshake completes later, then {@link Handler#opened}). */
    Client connect(InetSocketAddress address, String path, Handler handler) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        channel.configureBlocking(false);
        Client c = new Client(clients.size(), channel, loops.get(clients.size() % loops.size()), path, address, handler);
        clients.add(c);
        c.loop.execute(c::start);
        return c;
    }

    @Override
    public void close() {
        for (SelectorLoop loop : loops) {
            loop.stop();
        }
        for (Client c : clients) {
            c.closeQuietly();
        }
    }

    static final class Client implements SelectorLoop.Ready {
        final int id;
        private final SocketChannel channel;
        private final SelectorLoop loop;
        private final String path;
        private final InetSocketAddress address;
        private final Handler handler;
        private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>();
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private SelectionKey key;
        private boolean open;
        private boolean closed;

        private Client(int id, SocketChannel channel, SelectorLoop loop, String path, InetSocketAddress address,
                       Handler handler) {
            this.id = id;
            this.channel = channel;
            this.loop = loop;
            this.path = path;
            this.address = address;
            this.handler = handler;
        }

        /** Sends a text frame, from any thread. */
        void send(String text) {
            ByteBuffer frame = maskedTextFrame(text.getBytes(StandardCharsets.UTF_8));
            if (loop.inLoop()) {
                enqueue(frame);
            } else {
                loop.execute(() -> enqueue(frame));
            }
        }

        private void start() {
            try {
                key = loop.register(channel, SelectionKey.OP_READ, this);
                byte[] nonce = new byte[16];
                RANDOM.nextBytes(nonce);
                enqueue(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":"
                        + address.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                fail("register: " + e.getMessage());
            }
        }

        private void enqueue(ByteBuffer frame) {
            if (closed) {
                return;
            }
            outgoing.add(frame);
            writeSome();
        }

        @Override
        public void writable() {
            writeSome();
        }

        @Override
        public void readable() {
            readSome();
        }

        private void writeSome() {
            try {
                while (!outgoing.isEmpty()) {
                    channel.write(outgoing.peek());
                    if (outgoing.peek().hasRemaining()) {
                        break;
                    }
                    outgoing.poll();
                }
                key.interestOps(outgoing.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } catch (IOException e) {
                fail("write: " + e.getMessage());
            }
        }

        private void readSome() {
            try {
                if (!in.hasRemaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_FRAME + 14, in.capacity() * 2));
                    in.flip();
                    bigger.put(in);
                    in = bigger;
                }
                int n = channel.read(in);
                if (n < 0) {
                    fail("the server closed the connection");
                    return;
                }
                long now = System.nanoTime();
                in.flip();
                if (!open) {
                    readHandshake();
                }
                if (open) {
                    readFrames(now);
                }
                in.compact();
            } catch (IOException e) {
                fail("read: " + e.getMessage());
            }
        }

        private void readHandshake() {
            byte[] a = in.array();
            for (int i = in.position(); i + 3 < in.limit(); i++) {
                if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                    String head = new String(a, in.position(), i - in.position(), StandardCharsets.ISO_8859_1);
                    if (!head.startsWith("HTTP/1.1 101")) {
                        fail("handshake refused: " + head.lines().findFirst().orElse(""));
                        return;
                    }
                    in.position(i + 4);
                    open = true;
                    handler.opened(this);
                    return;
                }
            }
            if (in.limit() >= 8192) {
                fail("a handshake answer over 8 KiB");
            }
        }

        private void readFrames(long now) {
            byte[] a = in.array();
            while (!closed && in.remaining() >= 2) {
                int p = in.position();
                int opcode = a[p] & 0x0F;
                boolean fin = (a[p] & 0x80) != 0;
                long length = a[p + 1] & 0x7F;
                int header = 2;
                if (length == 126) {
                    if (in.remaining() < 4) {
                        return;
                    }
                    length = ((a[p + 2] & 0xFF) << 8) | (a[p + 3] & 0xFF);
                    header = 4;
                } else if (length == 127) {
                    if (in.remaining() < 10) {
                        return;
                    }
                    length = ByteBuffer.wrap(a, p + 2, 8).getLong();
                    header = 10;
                }
                if (length > MAX_FRAME || !fin) {
                    fail("a frame over " + MAX_FRAME + " bytes or fragmented");
                    return;
                }
                if (in.remaining() < header + length) {
                    return;
                }
                in.position(p + header + (int) length);
                if (opcode == 0x1) {
                    handler.text(this, a, p + header, (int) length, now);
                } else if (opcode == 0x8) {
                    fail("closed by the server: " + closeReason(a, p + header, (int) length));
                } else if (opcode == 0x9) {
                    byte[] payload = java.util.Arrays.copyOfRange(a, p + header, p + header + (int) length);
                    enqueue(maskedFrame(0xA, payload));
                }
            }
        }

        private static String closeReason(byte[] a, int offset, int length) {
            if (length < 2) {
                return "no status";
            }
            int status = ((a[offset] & 0xFF) << 8) | (a[offset + 1] & 0xFF);
            return status + " " + new String(a, offset + 2, length - 2, StandardCharsets.UTF_8);
        }

        private void fail(String why) {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly();
            handler.closed(this, why);
        }

        private void closeQuietly() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static ByteBuffer maskedTextFrame(byte[] payload) {
        return maskedFrame(0x1, payload);
    }

    private static ByteBuffer maskedFrame(int opcode, byte[] payload) {
        int length = payload.length;
        ByteBuffer frame = ByteBuffer.allocate(14 + length);
        frame.put((byte) (0x80 | opcode));
        if (length < 126) {
            frame.put((byte) (0x80 | length));
        } else if (length < 65536) {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(length);
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return frame.flip();
    }
}
