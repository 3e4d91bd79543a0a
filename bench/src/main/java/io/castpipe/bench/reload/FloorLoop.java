package io.castpipe.bench.reload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/** One selector thread of the {@link FloorProcess}: its connections, and which of them are parked. */
final class FloorLoop {
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(FloorConnection.MAX_HEAD);
    private List<FloorConnection> parked = new ArrayList<>();
    private ByteBuffer latest;

    FloorLoop(String name, ByteBuffer first) throws IOException {
        this.selector = Selector.open();
        this.latest = first;
        Thread thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes {@code channel} on, from any thread. */
    void adopt(SocketChannel channel) {
        execute(() -> {
            try {
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                key.attach(new FloorConnection(channel, key, this));
            } catch (IOException e) {
                System.err.println("floor: could not take a connection on: " + e);
                FloorConnection.closeQuietly(channel);
            }
        });
    }

    /** From any thread: makes {@code answer} the current one and writes it to every parked connection, then counts {@code written} down. */
    void answerAll(ByteBuffer answer, CountDownLatch written) {
        execute(() -> {
            latest = answer;
            List<FloorConnection> waking = parked;
            parked = new ArrayList<>(waking.size());
            for (FloorConnection c : waking) {
                c.wake(answer);
            }
            written.countDown();
        });
    }

    /** The current answer, for a request that does not block; on this loop's thread. */
    ByteBuffer latest() {
        return latest;
    }

    /** Holds {@code c} until the next answer; on this loop's thread. */
    void park(FloorConnection c) {
        parked.add(c);
    }

    private void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void run() {
        try {
            while (true) {
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    FloorConnection c = (FloorConnection) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        c.writeSome();
                    }
                    if (key.isValid() && key.isReadable()) {
                        c.readSome(scratch);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
