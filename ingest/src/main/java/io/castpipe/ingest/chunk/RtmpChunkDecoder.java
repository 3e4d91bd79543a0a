package io.castpipe.ingest.chunk;

import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Turns the chunk stream into whole {@link RtmpMessage}s: basic headers of every format and
 * chunk stream id width, message headers of format 0 to 3, extended timestamps, per-chunk-stream
 * state and reassembly of messages split into chunks. It handles the two control messages that
 * belong to this layer itself: Set Chunk Size and Abort.
 *
 * <p>Bounds: a chunk size of at most {@link #MAX_CHUNK_SIZE}; a message length per type
 * ({@link #maxLength}); at most {@link #MAX_CHUNK_STREAMS} chunk streams; reassembly buffers
 * grow only as bytes arrive, so memory follows what the peer actually sent.
 */
public final class RtmpChunkDecoder extends ByteToMessageDecoder {
    public static final int DEFAULT_CHUNK_SIZE = 128;
    public static final int MAX_CHUNK_SIZE = 65_536;
    public static final int MAX_CHUNK_STREAMS = 32;
    public static final int MAX_VIDEO_MESSAGE = 8 * 1024 * 1024;
    public static final int MAX_AUDIO_MESSAGE = 1024 * 1024;
    public static final int MAX_DATA_MESSAGE = 256 * 1024;
    public static final int MAX_COMMAND_MESSAGE = 64 * 1024;
    public static final int MAX_CONTROL_MESSAGE = 64;

    private final ChunkStream[] streams = new ChunkStream[MAX_CHUNK_STREAMS];
    private int streamCount;
    private int chunkSize = DEFAULT_CHUNK_SIZE;

    /** What one chunk stream remembers from its previous chunk, and the message it is building. */
    private static final class ChunkStream {
        final int id;
        long timestamp;
        long delta;
        int length;
        int typeId;
        int messageStreamId;
        boolean extended;
        byte[] partial; // the message being reassembled, null between messages
        int filled;

        ChunkStream(int id) {
            this.id = id;
        }
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** The longest message of a type this decoder accepts. */
    public static int maxLength(int typeId) {
        switch (typeId) {
            case RtmpMessage.VIDEO:
                return MAX_VIDEO_MESSAGE;
            case RtmpMessage.AUDIO:
                return MAX_AUDIO_MESSAGE;
            case RtmpMessage.DATA_AMF0:
            case RtmpMessage.DATA_AMF3:
                return MAX_DATA_MESSAGE;
            case RtmpMessage.SET_CHUNK_SIZE:
            case RtmpMessage.ABORT:
            case RtmpMessage.ACKNOWLEDGEMENT:
            case RtmpMessage.USER_CONTROL:
            case RtmpMessage.WINDOW_ACK_SIZE:
            case RtmpMessage.SET_PEER_BANDWIDTH:
                return MAX_CONTROL_MESSAGE;
            default:
                return MAX_COMMAND_MESSAGE;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            RtmpMessage m = decodeChunk(in);
            if (in.readerIndex() == start) {
                return; // not a whole chunk yet
            }
            if (m != null && !control(m)) {
                out.add(m);
            }
        }
    }

    /** Reads one chunk; leaves the reader index where it was when the chunk is not all here. */
    private RtmpMessage decodeChunk(ByteBuf in) {
        int start = in.readerIndex();
        int first = in.readUnsignedByte();
        int fmt = first >>> 6;
        int csid = first & 0x3f;
        if (csid == 0) {
            if (!in.isReadable()) {
                in.readerIndex(start);
                return null;
            }
            csid = 64 + in.readUnsignedByte();
        } else if (csid == 1) {
            if (in.readableBytes() < 2) {
                in.readerIndex(start);
                return null;
            }
            csid = 64 + in.readUnsignedByte() + (in.readUnsignedByte() << 8);
        }
        int headerLength = fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0;
        if (in.readableBytes() < headerLength) {
            in.readerIndex(start);
            return null;
        }
        ChunkStream cs = stream(csid, fmt);
        long tsField = 0;
        int length = cs.length;
        int typeId = cs.typeId;
        int streamId = cs.messageStreamId;
        if (fmt <= 2) {
            tsField = in.readUnsignedMedium();
        }
        if (fmt <= 1) {
            length = in.readUnsignedMedium();
            typeId = in.readUnsignedByte();
        }
        if (fmt == 0) {
            streamId = in.readIntLE();
        }
        boolean extended = fmt <= 2 ? tsField == 0xFFFFFF : cs.extended;
        if (extended) {
            if (in.readableBytes() < 4) {
                in.readerIndex(start);
                return null;
            }
            long ext = in.readUnsignedInt();
            if (fmt <= 2) {
                tsField = ext;
            }
            // format 3 repeats the previous extended field; its value is the same and ignored
        }
        if (fmt != 3 && cs.partial != null) {
            throw new RtmpProtocolException("chunk stream " + csid + " started a new message before the last one ended");
        }
        int max = maxLength(typeId);
        if (length > max) {
            throw new RtmpProtocolException("message of type " + typeId + " is " + length + " bytes; the most accepted is " + max);
        }
        int remaining = cs.partial == null ? length : length - cs.filled;
        int take = Math.min(chunkSize, remaining);
        if (in.readableBytes() < take) {
            in.readerIndex(start);
            return null;
        }
        // The whole chunk is here: commit the header to the chunk stream's state.
        if (cs.partial == null) {
            switch (fmt) {
                case 0:
                    cs.timestamp = tsField;
                    cs.delta = 0;
                    break;
                case 1:
                case 2:
                    cs.delta = tsField;
                    cs.timestamp = (cs.timestamp + tsField) & 0xFFFFFFFFL;
                    break;
                default:
                    cs.timestamp = (cs.timestamp + cs.delta) & 0xFFFFFFFFL;
                    break;
            }
            cs.length = length;
            cs.typeId = typeId;
            cs.messageStreamId = streamId;
            if (fmt <= 2) {
                cs.extended = extended;
            }
            cs.partial = new byte[Math.min(length, Math.max(take, 4096))];
            cs.filled = 0;
        }
        if (cs.filled + take > cs.partial.length) {
            cs.partial = Arrays.copyOf(cs.partial, Math.min(cs.length, Math.max(cs.filled + take, cs.partial.length * 2)));
        }
        in.readBytes(cs.partial, cs.filled, take);
        cs.filled += take;
        if (cs.filled < cs.length) {
            return null;
        }
        byte[] payload = cs.partial.length == cs.length ? cs.partial : Arrays.copyOf(cs.partial, cs.length);
        cs.partial = null;
        cs.filled = 0;
        return new RtmpMessage(csid, cs.typeId, cs.messageStreamId, cs.timestamp, payload);
    }

    private ChunkStream stream(int csid, int fmt) {
        for (int i = 0; i < streamCount; i++) {
            if (streams[i].id == csid) {
                return streams[i];
            }
        }
        if (fmt != 0) {
            throw new RtmpProtocolException("chunk stream " + csid + " began with a format " + fmt + " header");
        }
        if (streamCount == MAX_CHUNK_STREAMS) {
            throw new RtmpProtocolException("more than " + MAX_CHUNK_STREAMS + " chunk streams on one connection");
        }
        ChunkStream cs = new ChunkStream(csid);
        streams[streamCount++] = cs;
        return cs;
    }

    /** Handles the chunk layer's own control messages; true when the message was one. */
    private boolean control(RtmpMessage m) {
        if (m.typeId() == RtmpMessage.SET_CHUNK_SIZE) {
            long size = u32(m.payload()) & 0x7FFFFFFFL;
            if (size < 1 || size > MAX_CHUNK_SIZE) {
                throw new RtmpProtocolException("chunk size " + size + " is outside 1.." + MAX_CHUNK_SIZE);
            }
            chunkSize = (int) size;
            return true;
        }
        if (m.typeId() == RtmpMessage.ABORT) {
            long csid = u32(m.payload());
            for (int i = 0; i < streamCount; i++) {
                if (streams[i].id == csid) {
                    streams[i].partial = null;
                    streams[i].filled = 0;
                }
            }
            return true;
        }
        return false;
    }

    private static long u32(byte[] p) {
        if (p.length < 4) {
            throw new RtmpProtocolException("control message of " + p.length + " bytes is too short");
        }
        return ((long) (p[0] & 0xff) << 24) | ((p[1] & 0xff) << 16) | ((p[2] & 0xff) << 8) | (p[3] & 0xff);
    }
}
