package io.castpipe.bench.reload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.castpipe.bench.SelectorLoop;

/**
 * One client connection of the {@link FloorProcess}, used on its loop's thread only. It reads a
 * request up to the end of its head, then either parks it (it carries {@code _HLS_msn}) or
 * answers it at once; one request at a time, as the benchmark's clients send them.
 */
final class FloorConnection implements SelectorLoop.Ready {
    /** The longest request head read; a longer one is refused with 431. */
    static final int MAX_HEAD = 8 * 1024;
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] LINE_END = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] BLOCKING = "_HLS_msn=".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] NO_BYTES = new byte[0];
    private static final byte[] TOO_LARGE = ("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

    private final SocketChannel channel;
    private SelectionKey key;
    private final FloorLoop loop;
    /** The start of a request head that has not all arrived yet. */
    private byte[] partHead = NO_BYTES;
    /** The answer being written; null when none is. */
    private ByteBuffer writing;
    private boolean parked;

    FloorConnection(SocketChannel channel, FloorLoop loop) {
        this.channel = channel;
        this.loop = loop;
    }

    void registered(SelectionKey key) {
        this.key = key;
    }

    @Override
    public void writable() {
        writeSome();
    }

    @Override
    public void readable() {
        readSome(loop.scratch());
    }

    private void readSome(ByteBuffer scratch) {
        scratch.clear();
        scratch.put(partHead);
        int n;
        try {
            n = channel.read(scratch);
        } catch (IOException e) {
            close();
            return;
        }
        if (n < 0 || parked || writing != null) {
            // Closed by the client, or a second request before the first was answered: no pipelining here.
            close();
            return;
        }
        byte[] bytes = scratch.array();
        int length = scratch.position();
        int headEnd = indexOf(bytes, 0, length, HEAD_END);
        if (headEnd < 0) {
            if (length == MAX_HEAD) {
                refuse();
            } else {
                partHead = Arrays.copyOf(bytes, length);
            }
            return;
        }
        partHead = NO_BYTES;
        if (headEnd + HEAD_END.length < length) {
            // A body or a second request behind this one: neither is for the floor.
            close();
            return;
        }
        int requestLineEnd = indexOf(bytes, 0, headEnd + LINE_END.length, LINE_END);
        if (indexOf(bytes, 0, requestLineEnd, BLOCKING) >= 0) {
            parked = true;
            loop.park(this);
        } else {
            send(loop.latest());
        }
    }

    /** Writes {@code answer} if this connection is still open. */
    void wake(ByteBuffer answer) {
        parked = false;
        if (channel.isOpen()) {
            send(answer);
        }
    }

    private void writeSome() {
        try {
            channel.write(writing);
        } catch (IOException e) {
            close();
            return;
        }
        if (writing.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            writing = null;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void send(ByteBuffer answer) {
        writing = answer.duplicate();
        writeSome();
    }

    private void refuse() {
        try {
            channel.write(ByteBuffer.wrap(TOO_LARGE));
        } catch (IOException e) {
            // closing anyway
        }
        close();
    }

    private void close() {
        writing = null;
        closeQuietly(channel);
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Where {@code needle} starts in {@code bytes[from, to)}, or -1. */
    private static int indexOf(byte[] bytes, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
