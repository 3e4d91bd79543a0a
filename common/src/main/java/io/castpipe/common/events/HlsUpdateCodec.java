package io.castpipe.common.events;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The compact binary form of an {@link HlsUpdate}: it carries parts, segments and playlists
 * inline, several per second per rendition, and JSON's base64 of them cost more CPU than the
 * packager that made them.
 * <pre>
 * u8  version (1)
 * u8  kind (0 init, 1 part, 2 segment, 3 playlist)
 * u8  flags (bit 0 part, bit 1 at, bit 2 bytes, bit 3 delta: which optional fields follow)
 * i64 sequence
 * [i32 part]  [i64 at epoch seconds, i32 nanoseconds]
 * u8 length + ASCII stream id, u8 length + ASCII rendition, u16 length + UTF-8 key
 * [i32 length + bytes]  [i32 length + delta]
 * </pre>
 * All integers big-endian. The first byte of JSON is never 1, so a reader tells them apart.
 */
public final class HlsUpdateCodec {
    public static final int VERSION = 1;
    private static final HlsUpdate.Kind[] KINDS = HlsUpdate.Kind.values();
    private static final int PART = 1;
    private static final int AT = 2;
    private static final int BYTES = 4;
    private static final int DELTA = 8;

    private HlsUpdateCodec() {
    }

    public static byte[] encode(HlsUpdate u) {
        byte[] stream = ShortAscii.bytes(u.streamId());
        byte[] rendition = ShortAscii.bytes(u.rendition());
        byte[] key = u.key() == null ? new byte[0] : u.key().getBytes(StandardCharsets.UTF_8);
        if (key.length > 0xffff) {
            throw new IllegalArgumentException("key longer than 65535 bytes");
        }
        int flags = (u.part() != null ? PART : 0) | (u.at() != null ? AT : 0) | (u.bytes() != null ? BYTES : 0)
                | (u.delta() != null ? DELTA : 0);
        ByteBuffer b = ByteBuffer.allocate(3 + 8 + (u.part() != null ? 4 : 0) + (u.at() != null ? 12 : 0)
                + 1 + stream.length + 1 + rendition.length + 2 + key.length
                + (u.bytes() != null ? 4 + u.bytes().length : 0) + (u.delta() != null ? 4 + u.delta().length : 0));
        b.put((byte) VERSION).put((byte) u.kind().ordinal()).put((byte) flags).putLong(u.sequence());
        if (u.part() != null) {
            b.putInt(u.part());
        }
        if (u.at() != null) {
            b.putLong(u.at().getEpochSecond()).putInt(u.at().getNano());
        }
        ShortAscii.put(b, stream);
        ShortAscii.put(b, rendition);
        b.putShort((short) key.length).put(key);
        if (u.bytes() != null) {
            b.putInt(u.bytes().length).put(u.bytes());
        }
        if (u.delta() != null) {
            b.putInt(u.delta().length).put(u.delta());
        }
        return b.array();
    }

    /** @throws IllegalArgumentException for bytes that are not an encoded update */
    public static HlsUpdate decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw new IllegalArgumentException("not an HLS update: version " + version);
            }
            int kind = b.get() & 0xff;
            if (kind >= KINDS.length) {
                throw new IllegalArgumentException("not an HLS update: kind " + kind);
            }
            int flags = b.get() & 0xff;
            long sequence = b.getLong();
            Integer part = (flags & PART) != 0 ? b.getInt() : null;
            Instant at = (flags & AT) != 0 ? Instant.ofEpochSecond(b.getLong(), b.getInt()) : null;
            String stream = ShortAscii.read(b);
            String rendition = ShortAscii.read(b);
            byte[] key = new byte[b.getShort() & 0xffff];
            b.get(key);
            byte[] inline = (flags & BYTES) != 0 ? block(b) : null;
            byte[] delta = (flags & DELTA) != 0 ? block(b) : null;
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("not an HLS update: " + b.remaining() + " bytes after its end");
            }
            return new HlsUpdate(stream, rendition, KINDS[kind], sequence, part,
                    key.length == 0 ? null : new String(key, StandardCharsets.UTF_8), inline, at, delta);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("not an HLS update: truncated", e);
        }
    }

    private static byte[] block(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("not an HLS update: block of " + length + " bytes, " + b.remaining() + " left");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }
}
