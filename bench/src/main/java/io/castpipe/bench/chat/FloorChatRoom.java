package io.castpipe.bench.chat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.bench.SelectorLoop;

/**
 * The {@link FloorChatProcess}'s one room: its connections on a few selector loops, and the
 * frames waiting for the next tick. A loop's connections are touched on that loop's thread only.
 */
final class FloorChatRoom {
    static final Duration TICK = Duration.ofMillis(50);

    private final SelectorLoop[] loops;
    private final List<List<FloorChatConnection>> members = new ArrayList<>();
    private final List<ByteBuffer> unsent = new ArrayList<>();
    private int unsentBytes;

    FloorChatRoom(int loopCount) throws IOException {
        loops = new SelectorLoop[loopCount];
        for (int i = 0; i < loopCount; i++) {
            loops[i] = new SelectorLoop("floor-chat-" + i);
            members.add(new ArrayList<>());
        }
    }

    /** Takes {@code channel} on, from the acceptor's thread. */
    void adopt(SocketChannel channel, int n) {
        int i = n % loops.length;
        SelectorLoop loop = loops[i];
        loop.execute(() -> {
            try {
                channel.configureBlocking(false);
                FloorChatConnection c = new FloorChatConnection(channel, this);
                c.registered(loop.register(channel, SelectionKey.OP_READ, c));
                members.get(i).add(c);
            } catch (IOException e) {
                FloorChatConnection.closeQuietly(channel);
            }
        });
    }

    /** A client's message text, already a JSON string literal with its quotes; from any loop's thread. */
    void say(byte[] jsonString) {
        byte[] payload = concat("{\"type\":\"message\",\"text\":".getBytes(StandardCharsets.US_ASCII), jsonString, "}".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer frame = FloorChatConnection.serverTextFrame(payload);
        synchronized (unsent) {
            unsent.add(frame);
            unsentBytes += frame.remaining();
        }
    }

    /** Sends the tick's frames, as one buffer, to every connection; on the ticker's thread. */
    void flush() {
        ByteBuffer all;
        synchronized (unsent) {
            if (unsent.isEmpty()) {
                return;
            }
            all = ByteBuffer.allocateDirect(unsentBytes);
            unsent.forEach(all::put);
            unsent.clear();
            unsentBytes = 0;
        }
        ByteBuffer batch = all.flip().asReadOnlyBuffer();
        for (int i = 0; i < loops.length; i++) {
            List<FloorChatConnection> here = members.get(i);
            loops[i].execute(() -> {
                here.removeIf(FloorChatConnection::closed);
                for (FloorChatConnection c : here) {
                    c.send(batch.duplicate());
                }
            });
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
