package io.castpipe.bench.reload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.castpipe.bench.SelectorLoop;

/** One selector thread of the {@link FloorProcess}: its connections, and which of them are parked. */
final class FloorLoop {
    private final SelectorLoop loop;
    private final ByteBuffer scratch = ByteBuffer.allocate(FloorConnection.MAX_HEAD);
    private List<FloorConnection> parked = new ArrayList<>();
    private ByteBuffer latest;

    FloorLoop(String name, ByteBuffer first) throws IOException {
        this.loop = new SelectorLoop(name);
        this.latest = first;
    }

    /** Takes {@code channel} on, from any thread. */
    void adopt(SocketChannel channel) {
        loop.execute(() -> {
            try {
                channel.configureBlocking(false);
                FloorConnection c = new FloorConnection(channel, this);
                c.registered(loop.register(channel, SelectionKey.OP_READ, c));
            } catch (IOException e) {
                System.err.println("floor: could not take a connection on: " + e);
                FloorConnection.closeQuietly(channel);
            }
        });
    }

    /** From any thread: makes {@code answer} the current one and writes it to every parked connection, then counts {@code written} down. */
    void answerAll(ByteBuffer answer, CountDownLatch written) {
        loop.execute(() -> {
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

    /** What a connection reads a request head into: at most {@link FloorConnection#MAX_HEAD}; on this loop's thread. */
    ByteBuffer scratch() {
        return scratch;
    }
}
