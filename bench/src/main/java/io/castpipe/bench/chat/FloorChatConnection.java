package io.castpipe.bench.chat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.bench.SelectorLoop;

/**
 * One client of the {@link FloorChatProcess}: the WebSocket handshake, then the client's masked
 * text frames read for their {@code "text"}, and the room's ticks written, all queued ones in one
 * gathering call. On its loop's thread only. Anything unexpected closes the connection.
 */
final class FloorChatConnection implements SelectorLoop.Ready {
    private static final int MAX_IN = 64 * 1024;
    private static final Pattern KEY = Pattern.compile("(?i)\r\nSec-WebSocket-Key:\\s*(\\S+)");
    private static final byte[] TEXT_FIELD = "\"text\":".getBytes(StandardCharsets.US_ASCII);

    private final SocketChannel channel;
    private final FloorChatRoom room;
    private final ByteBuffer in = ByteBuffer.allocate(MAX_IN);
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private SelectionKey key;
    private boolean open;
    private boolean closed;

    FloorChatConnection(SocketChannel channel, FloorChatRoom room) {
        this.channel = channel;
        this.room = room;
    }

    void registered(SelectionKey key) {
        this.key = key;
    }

    boolean closed() {
        return closed;
    }

    /** Queues {@code bytes} and writes what the socket takes now. */
    void send(ByteBuffer bytes) {
        if (!closed && open) {
            out.add(bytes);
            writable();
        }
    }

    @Override
    public void writable() {
        try {
            channel.write(out.toArray(new ByteBuffer[0]));
        } catch (IOException e) {
            close();
            return;
        }
        while (!out.isEmpty() && !out.peek().hasRemaining()) {
            out.poll();
        }
        if (key.isValid()) {
            key.interestOps(out.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    @Override
    public void readable() {
        try {
            if (channel.read(in) < 0 || !in.hasRemaining()) {
                close();
                return;
            }
        } catch (IOException e) {
            close();
            return;
        }
        in.flip();
        if (!open) {
            handshake();
        }
        while (open && !closed && frame()) {
            // one client frame taken
        }
        in.compact();
    }

    private void handshake() {
        String head = new String(in.array(), 0, in.limit(), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            return;
        }
        Matcher key = KEY.matcher(head.substring(0, end));
        if (!key.find()) {
            close();
            return;
        }
        in.position(end + 4);
        out.add(ByteBuffer.wrap(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        open = true;
        writable();
    }

    /** Takes one whole masked frame from {@code in}; false when none is whole yet. */
    private boolean frame() {
        if (in.remaining() < 6) {
            return false;
        }
        byte[] a = in.array();
        int p = in.position();
        int opcode = a[p] & 0x0F;
        int length = a[p + 1] & 0x7F;
        int header = 6;
        if (length == 126) {
            if (in.remaining() < 8) {
                return false;
            }
            length = ((a[p + 2] & 0xFF) << 8) | (a[p + 3] & 0xFF);
            header = 8;
        } else if (length == 127) {
            close();
            return false;
        }
        if (in.remaining() < header + length) {
            return false;
        }
        byte[] payload = Arrays.copyOfRange(a, p + header, p + header + length);
        for (int i = 0; i < length; i++) {
            payload[i] ^= a[p + header - 4 + (i & 3)];
        }
        in.position(p + header + length);
        if (opcode == 0x8) {
            close();
        } else if (opcode == 0x1) {
            text(payload);
        }
        return true;
    }

    /** The value of {@code "text"}, a JSON string with its quotes, goes to the room as it is. */
    private void text(byte[] payload) {
        int at = RoomAudience.indexOf(payload, 0, payload.length, TEXT_FIELD);
        if (at < 0) {
            return;
        }
        int start = at + TEXT_FIELD.length;
        int end = start + 1;
        while (end < payload.length && (payload[end] != '"' || payload[end - 1] == '\\')) {
            end++;
        }
        if (start < payload.length && payload[start] == '"' && end < payload.length) {
            room.say(Arrays.copyOfRange(payload, start, end + 1));
        }
    }

    private void close() {
        closed = true;
        out.clear();
        closeQuietly(channel);
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** One unmasked, final text frame around {@code payload}. */
    static ByteBuffer serverTextFrame(byte[] payload) {
        int length = payload.length;
        ByteBuffer frame = ByteBuffer.allocate(length + (length < 126 ? 2 : 4));
        frame.put((byte) 0x81);
        if (length < 126) {
            frame.put((byte) length);
        } else {
            frame.put((byte) 126).putShort((short) length);
        }
        return frame.put(payload).flip();
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
