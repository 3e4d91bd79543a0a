package io.castpipe.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of the benchmarks' small NIO clients and servers (no thread per
 * connection): it runs the tasks handed to it, the timers set on it, and tells each ready
 * channel's {@link Ready} what it may do now.
 */
public final class SelectorLoop {
    /** What a channel registered here is told; on the loop's thread. */
    public interface Ready {
        void writable();

        void readable();
    }

    private record Timer(long dueNanos, Runnable task) {
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private volatile boolean running = true;

    public SelectorLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop's thread, later; from any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Runs {@code task} on this loop's thread at {@code dueNanos}; from any thread. */
    public void at(long dueNanos, Runnable task) {
        if (inLoop()) {
            timers.add(new Timer(dueNanos, task));
        } else {
            execute(() -> timers.add(new Timer(dueNanos, task)));
        }
    }

    /** On this loop's thread. */
    public SelectionKey register(SelectableChannel channel, int ops, Ready ready) throws ClosedChannelException {
        return channel.register(selector, ops, ready);
    }

    /** 64 KiB to read into, shared by everything that reads on this loop's thread. */
    public ByteBuffer readBuffer() {
        return readBuffer;
    }

    public void stop() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void run() {
        try {
            while (running) {
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                long now = System.nanoTime();
                while (!timers.isEmpty() && timers.peek().dueNanos() <= now) {
                    timers.poll().task().run();
                }
                if (!tasks.isEmpty()) {
                    selector.selectNow();
                } else if (timers.isEmpty()) {
                    selector.select();
                } else {
                    selector.select(Math.max(1, (timers.peek().dueNanos() - now + 999_999) / 1_000_000));
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Ready ready = (Ready) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        ready.writable();
                    }
                    if (key.isValid() && key.isReadable()) {
                        ready.readable();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
