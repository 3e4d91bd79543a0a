package io.castpipe.chat.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.node.DaemonThreads;

/**
 * Closes a client's socket after this node's close frame as RFC 6455 (7.1.1) has a server do it:
 * the sending side is shut, so the client reads the close frame and then the end of the stream,
 * and what the client still sends (frames on their way, its own close frame) is read and dropped
 * until it closes its side, for at most {@link #LINGER} and {@link #MAX_DRAINED_BYTES}.
 *
 * <p>Java-WebSocket closes the socket as soon as its close frame is written. A socket closed with
 * bytes unread, or that more bytes reach afterwards, is reset by the kernel, and a client that is
 * still sending (one closed for flooding, say) then fails on its next write or read and reports
 * 1006, abnormal closure, without ever reading the close frame and its code.
 */
final class LingeringClose implements AutoCloseable {
    static final Duration LINGER = Duration.ofSeconds(2);
    static final int MAX_DRAINED_BYTES = 64 * 1024;
    private static final Duration POLL = Duration.ofMillis(20);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("chat-lingering-close"));
    /** Read into by the timer thread only. */
    private final ByteBuffer dropped = ByteBuffer.allocate(8 * 1024);
    private final Set<ClientChannel> lingering = ConcurrentHashMap.newKeySet();

    /** Shuts the socket's sending side, then closes it once the client closed its own, or after the bounds. */
    void close(ClientChannel channel) {
        try {
            channel.shutdownOutput();
            lingering.add(channel);
            timer.execute(new Drain(channel, System.nanoTime() + LINGER.toNanos()));
        } catch (IOException | RejectedExecutionException e) {
            lingering.remove(channel);
            channel.closeNow();
        }
    }

    /** Sockets still lingering now. */
    int size() {
        return lingering.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        lingering.forEach(ClientChannel::closeNow);
        lingering.clear();
    }

    private final class Drain implements Runnable {
        private final ClientChannel channel;
        private final long deadline;
        private int drained;

        Drain(ClientChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            boolean done;
            try {
                done = dropWhatArrived();
            } catch (IOException gone) {
                done = true;
            }
            if (!done && System.nanoTime() - deadline < 0) {
                try {
                    timer.schedule(this, POLL.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException stopping) {
                    // closed below
                }
            }
            lingering.remove(channel);
            channel.closeNow();
        }

        /** True once the client closed its side, or sent more than a closing client would. */
        private boolean dropWhatArrived() throws IOException {
            int n;
            do {
                dropped.clear();
                n = channel.readRaw(dropped);
                drained += Math.max(0, n);
            } while (n > 0 && drained <= MAX_DRAINED_BYTES);
            return n < 0 || drained > MAX_DRAINED_BYTES;
        }
    }
}
