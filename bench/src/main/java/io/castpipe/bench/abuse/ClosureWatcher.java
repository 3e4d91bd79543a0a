package io.castpipe.bench.abuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One thread watching every hostile socket for the server's answer and its close: it reads and
 * drops what arrives (noting the first line), and records when the server closes or resets the
 * connection. Hundreds of held connections cost one thread, not one each.
 */
final class ClosureWatcher implements AutoCloseable {
    private record Watched(SocketChannel channel, Tally tally, long openedNanos, StringBuilder firstLine) {
    }

    private final Selector selector;
    private final ConcurrentLinkedQueue<Watched> incoming = new ConcurrentLinkedQueue<>();
    private final List<SocketChannel> all = new ArrayList<>();
    private final Thread thread;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

    ClosureWatcher() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, "abuse-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches a connected channel from now on; {@code openedNanos} is when it connected. */
    void watch(SocketChannel channel, Tally tally, long openedNanos) {
        incoming.add(new Watched(channel, tally, openedNanos, new StringBuilder()));
        selector.wakeup();
    }

    private void loop() {
        try {
            while (selector.isOpen()) {
                selector.select(100);
                for (Watched w; (w = incoming.poll()) != null; ) {
                    try {
                        w.channel().configureBlocking(false);
                        w.channel().register(selector, SelectionKey.OP_READ, w);
                        synchronized (all) {
                            all.add(w.channel());
                        }
                    } catch (IOException e) {
                        w.tally().countClosed(millisSince(w.openedNanos()));
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    read(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closing
        }
    }

    private void read(SelectionKey key) {
        Watched w = (Watched) key.attachment();
        int n;
        try {
            buffer.clear();
            n = w.channel().read(buffer);
        } catch (IOException e) {
            n = -1;
        }
        if (n > 0 && w.firstLine() != null && w.firstLine().indexOf("\n") < 0 && w.firstLine().length() < 200) {
            w.firstLine().append(new String(buffer.array(), 0, Math.min(n, 200), StandardCharsets.ISO_8859_1));
            int eol = w.firstLine().indexOf("\r\n");
            if (eol >= 0) {
                w.tally().countAnswer(w.firstLine().substring(0, eol));
            }
        }
        if (n < 0) {
            key.cancel();
            w.tally().countClosed(millisSince(w.openedNanos()));
            try {
                w.channel().close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        synchronized (all) {
            for (SocketChannel c : all) {
                c.close();
            }
        }
    }
}
