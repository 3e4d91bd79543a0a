package io.castpipe.common.events;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

import io.castpipe.common.media.LatencyMode;

/**
 * The compact binary form of a {@link MediaTag} (media payloads are not worth JSON's base64):
 * <pre>
 * u8  version (1)
 * u8  kind (0 audio, 1 video, 2 script)
 * u8  flags (bit 0 keyframe, bit 1 sequence header, bits 2-3 latency mode: 0 normal, 1 low, 2 high)
 * i64 timestamp ms, i64 ingestedAt epoch ms
 * u8 length + ASCII stream id, u8 length + ASCII channel id
 * i32 length + payload
 * </pre>
 * All integers big-endian.
 */
public final class MediaTagCodec {
    public static final int VERSION = 1;
    private static final MediaTag.Kind[] KINDS = MediaTag.Kind.values();

    private MediaTagCodec() {
    }

    public static byte[] encode(MediaTag tag) {
        byte[] stream = ShortAscii.bytes(tag.streamId());
        byte[] channel = ShortAscii.bytes(tag.channelId());
        ByteBuffer b = ByteBuffer.allocate(3 + 16 + 1 + stream.length + 1 + channel.length + 4 + tag.payload().length);
        b.put((byte) VERSION);
        b.put((byte) tag.kind().ordinal());
        b.put((byte) ((tag.keyframe() ? 1 : 0) | (tag.sequenceHeader() ? 2 : 0) | modeBits(tag.latency()) << 2));
        b.putLong(tag.timestamp());
        b.putLong(tag.ingestedAt());
        ShortAscii.put(b, stream);
        ShortAscii.put(b, channel);
        b.putInt(tag.payload().length).put(tag.payload());
        return b.array();
    }

    /** @throws IllegalArgumentException for bytes that are not an encoded media tag */
    public static MediaTag decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw new IllegalArgumentException("not a media tag: version " + version);
            }
            int kind = b.get() & 0xff;
            if (kind >= KINDS.length) {
                throw new IllegalArgumentException("not a media tag: kind " + kind);
            }
            int flags = b.get() & 0xff;
            long timestamp = b.getLong();
            long ingestedAt = b.getLong();
            String stream = ShortAscii.read(b);
            String channel = ShortAscii.read(b);
            int length = b.getInt();
            if (length < 0 || length != b.remaining()) {
                throw new IllegalArgumentException("not a media tag: payload length " + length + ", " + b.remaining() + " bytes left");
            }
            byte[] payload = new byte[length];
            b.get(payload);
            return new MediaTag(stream, channel, KINDS[kind], timestamp, (flags & 1) != 0, (flags & 2) != 0, payload, ingestedAt,
                    mode(flags >> 2 & 3));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("not a media tag: truncated", e);
        }
    }

    // Bits 00 are NORMAL, what a record written before modes existed meant.
    private static int modeBits(LatencyMode mode) {
        return switch (mode) {
            case NORMAL -> 0;
            case LOW -> 1;
            case HIGH -> 2;
        };
    }

    private static LatencyMode mode(int bits) {
        return switch (bits) {
            case 0 -> LatencyMode.NORMAL;
            case 1 -> LatencyMode.LOW;
            case 2 -> LatencyMode.HIGH;
            default -> throw new IllegalArgumentException("not a media tag: latency mode " + bits);
        };
    }
}
