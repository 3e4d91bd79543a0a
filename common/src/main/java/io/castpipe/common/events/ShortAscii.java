package io.castpipe.common.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** An id in the binary record codecs: a u8 length, then ASCII. */
final class ShortAscii {
    private ShortAscii() {
    }

    /** The id's bytes, to follow its length. */
    static byte[] bytes(String id) {
        byte[] b = id.getBytes(StandardCharsets.US_ASCII);
        if (b.length > 255) {
            throw new IllegalArgumentException("id longer than 255 bytes");
        }
        return b;
    }

    static void put(ByteBuffer b, byte[] id) {
        b.put((byte) id.length).put(id);
    }

    /** @throws java.nio.BufferUnderflowException when the buffer ends first */
    static String read(ByteBuffer b) {
        byte[] s = new byte[b.get() & 0xff];
        b.get(s);
        return new String(s, StandardCharsets.US_ASCII);
    }
}
