package io.castpipe.bench.reload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.castpipe.bench.SelectorLoop;

/**
 * Many keep-alive HTTP/1.1 connections to one server, each with at most one request in
 * flight, driven by a few selector threads (no thread per connection). What to do with a
 * response, and when to ask again, is the {@link Handler}'s: it runs on the connection's
 * selector thread, as do the timers it sets.
 */
final class PlaylistClients implements AutoCloseable {
    /** A response bigger than this is refused, so one bad answer cannot eat the client's heap. */
    private static final int MAX_RESPONSE = 1 << 20;

    interface Handler {
        void response(Client client, int status, byte[] body, long arrivedNanos);

        void failed(Client client, String why);
    }

    final List<Client> clients;
    private final List<SelectorLoop> loops;
    private volatile Handler handler;

    private PlaylistClients(List<Client> clients, List<SelectorLoop> loops) {
        this.clients = clients;
        this.loops = loops;
    }

    /** Opens {@code count} connections one after the other, spread over {@code threads} selector threads. */
    static PlaylistClients open(InetSocketAddress server, int count, int threads) throws IOException {
        List<SelectorLoop> loops = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            loops.add(new SelectorLoop("client-loop-" + i));
        }
        List<Client> clients = new ArrayList<>();
        PlaylistClients all = new PlaylistClients(Collections.unmodifiableList(clients), loops);
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(server);
                channel.configureBlocking(false);
                Client c = new Client(i, channel, loops.get(i % threads), all);
                clients.add(c);
                c.loop.execute(c::register);
            }
        } catch (IOException e) {
            all.close();
            throw new IOException("opened " + clients.size() + " of " + count + " connections: " + e.getMessage(), e);
        }
        return all;
    }

    /** From now on responses and failures go to {@code next}; switch only while no request is in flight. */
    void handleWith(Handler next) {
        handler = next;
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
        private final PlaylistClients owner;
        private SelectionKey key;
        private ByteBuffer pendingRequest;
        private ByteArrayOutputStream received;
        private boolean inFlight;

        private Client(int id, SocketChannel channel, SelectorLoop loop, PlaylistClients owner) {
            this.id = id;
            this.channel = channel;
            this.loop = loop;
            this.owner = owner;
        }

        /** Sends {@code GET target}, from any thread; a request while one is in flight is a failure. */
        void get(String target) {
            if (loop.inLoop()) {
                send(target);
            } else {
                loop.execute(() -> send(target));
            }
        }

        /** Runs {@code task} on this client's selector thread at {@code dueNanos}. */
        void at(long dueNanos, Runnable task) {
            loop.at(dueNanos, task);
        }

        boolean inFlight() {
            return inFlight;
        }

        private void register() {
            try {
                key = loop.register(channel, 0, this);
            } catch (IOException e) {
                fail("register: " + e.getMessage());
            }
        }

        private void send(String target) {
            if (key == null || !key.isValid()) {
                return;
            }
            if (inFlight) {
                fail("a request while one is in flight");
                return;
            }
            inFlight = true;
            received = new ByteArrayOutputStream(2048);
            pendingRequest = ByteBuffer.wrap(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            writeSome();
        }

        @Override
        public void writable() {
            writeSome();
        }

        @Override
        public void readable() {
            readSome(loop.readBuffer());
        }

        private void writeSome() {
            try {
                channel.write(pendingRequest);
                key.interestOps(pendingRequest.hasRemaining() ? SelectionKey.OP_WRITE | SelectionKey.OP_READ
                        : SelectionKey.OP_READ);
            } catch (IOException e) {
                fail("write: " + e.getMessage());
            }
        }

        private void readSome(ByteBuffer buffer) {
            try {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    fail("the server closed the connection");
                    return;
                }
                long now = System.nanoTime();
                if (!inFlight) {
                    fail("bytes nobody asked for");
                    return;
                }
                received.write(buffer.array(), 0, n);
                if (received.size() > MAX_RESPONSE) {
                    fail("a response over " + MAX_RESPONSE + " bytes");
                    return;
                }
                complete(now);
            } catch (IOException e) {
                fail("read: " + e.getMessage());
            }
        }

        /** Hands the response on once all of it (by Content-Length) is here. */
        private void complete(long now) {
            byte[] bytes = received.toByteArray();
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return;
            }
            String[] lines = text.substring(0, headEnd).split("\r\n");
            String[] statusLine = lines[0].split(" ");
            long length = -1;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(lines[i].substring(colon + 1).trim());
                }
            }
            if (statusLine.length < 2 || length < 0) {
                fail("a response without status or Content-Length: " + lines[0]);
                return;
            }
            int bodyStart = headEnd + 4;
            if (bytes.length < bodyStart + length) {
                return;
            }
            if (bytes.length > bodyStart + length) {
                fail("bytes after the response");
                return;
            }
            inFlight = false;
            received = null;
            byte[] body = Arrays.copyOfRange(bytes, bodyStart, bytes.length);
            owner.handler.response(this, Integer.parseInt(statusLine[1]), body, now);
        }

        private void fail(String why) {
            inFlight = false;
            closeQuietly();
            owner.handler.failed(this, why);
        }

        private void closeQuietly() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
