package io.castpipe.ingest.chunk;

import java.util.Arrays;
import java.util.List;

import io.castpipe.common.config.Setting;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Turns the chunk stream into whole {@link RtmpMessage}s: basic headers of every format and
 * chunk stream id width, message headers of format 0 to 3, extended timestamps, per-chunk-stream
 * state and reassembly of messages split into chunks. It handles the two control messages that
 * belong to this layer itself: Set Chunk Size and Abort.
 *
 * <p>Bounds, checked from each header before any byte of the body is kept: a chunk size of at most
 * {@link #MAX_CHUNK_SIZE}; a message length per type ({@link #maxLength}); at most
 * {@link #MAX_CHUNK_STREAMS} chunk streams; until {@link #publishAccepted()}, protocol control and
 * commands only, all in progress together at most {@link #MAX_HELD_BEFORE_PUBLISH} bytes; after it,
 * {@link #MAX_HELD_PUBLISHING}. A reassembly buffer grows with the bytes that arrived (to twice
 * them at most, never past the declared length) and is reserved before it is allocated from the
 * process's {@link ReassemblyPool}: from the share of connections that have not published until
 * the publish is accepted, from the publishers' share after. A connection whose buffer cannot grow
 * is the one closed; what other connections hold is never touched.
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
    /**
     * Commands before a publish (connect, releaseStream, FCPublish, createStream, publish) are a few
     * hundred bytes. 16 KiB each, 1,000 connections (the default cap) fit in a quarter of the default pool.
     */
    public static final int MAX_HELD_BEFORE_PUBLISH = 16 * 1024;
    /** A publisher may have one message of each kind in progress at once. */
    public static final int MAX_HELD_PUBLISHING = MAX_VIDEO_MESSAGE + MAX_AUDIO_MESSAGE + MAX_DATA_MESSAGE + MAX_COMMAND_MESSAGE;
    private static final int MIN_BUFFER = 4096;

    private final ReassemblyPool pool;
    private final ChunkStream[] streams = new ChunkStream[MAX_CHUNK_STREAMS];
    private int streamCount;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private boolean publishing;
    private boolean failed;
    /** The bytes of this connection's reassembly buffers reserved from each share of the pool. */
    private long heldBeforePublish;
    private long heldPublishing;

    public RtmpChunkDecoder(ReassemblyPool pool) {
        this.pool = pool;
    }

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

    /** The session accepted a publish: media and data may come now, within the publisher's larger share. */
    public void publishAccepted() {
        publishing = true;
    }

    /** What this connection's reassembly buffers hold now. */
    public long held() {
        return heldBeforePublish + heldPublishing;
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
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
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
        } catch (RtmpProtocolException e) {
            // The connection is being closed for this; what follows is not read, nor kept.
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
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
        if (!publishing && !allowedBeforePublish(typeId)) {
            throw new RtmpLimitException(RtmpLimitException.BEFORE_PUBLISH, "a message of type " + typeId
                    + " before the publish was accepted (only commands and protocol control may come first)");
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
            cs.filled = 0;
        }
        grow(cs, cs.filled + take);
        in.readBytes(cs.partial, cs.filled, take);
        cs.filled += take;
        if (cs.filled < cs.length) {
            return null;
        }
        byte[] payload = cs.partial; // grown to the declared length, never past it
        drop(cs);
        return new RtmpMessage(csid, cs.typeId, cs.messageStreamId, cs.timestamp, payload);
    }

    private static boolean allowedBeforePublish(int typeId) {
        return typeId >= RtmpMessage.SET_CHUNK_SIZE && typeId <= RtmpMessage.SET_PEER_BANDWIDTH
                || typeId == RtmpMessage.COMMAND_AMF0 || typeId == RtmpMessage.COMMAND_AMF3;
    }

    /** Makes room for {@code needed} bytes of the message in progress, doubling up to its declared length. */
    private void grow(ChunkStream cs, int needed) {
        int current = cs.partial == null ? 0 : cs.partial.length;
        if (cs.partial != null && needed <= current) {
            return;
        }
        int size = Math.min(cs.length, Math.max(needed, current == 0 ? MIN_BUFFER : current * 2));
        reserve(size - current);
        cs.partial = cs.partial == null ? new byte[size] : Arrays.copyOf(cs.partial, size);
    }

    private void reserve(int bytes) {
        if (publishing) {
            if (held() + bytes > MAX_HELD_PUBLISHING) {
                throw new RtmpLimitException(RtmpLimitException.BUFFER, "more than " + MAX_HELD_PUBLISHING
                        + " bytes of messages in progress at once (one message of each kind is the most)");
            }
            if (!pool.publishing().tryReserve(bytes)) {
                throw new RtmpLimitException(RtmpLimitException.BUFFER, "the memory all publishers may hold in messages in"
                        + " progress (" + size(pool.publishing().limit()) + ", three quarters of " + Setting.RTMP_BUFFER_MB.env()
                        + ") is spent");
            }
            heldPublishing += bytes;
        } else {
            if (held() + bytes > MAX_HELD_BEFORE_PUBLISH) {
                throw new RtmpLimitException(RtmpLimitException.BEFORE_PUBLISH, "more than " + MAX_HELD_BEFORE_PUBLISH
                        + " bytes of messages in progress before the publish was accepted");
            }
            if (!pool.beforePublish().tryReserve(bytes)) {
                throw new RtmpLimitException(RtmpLimitException.BEFORE_PUBLISH, "the memory connections that have not"
                        + " published may hold in messages in progress (" + size(pool.beforePublish().limit()) + ", a quarter of "
                        + Setting.RTMP_BUFFER_MB.env() + ") is spent");
            }
            heldBeforePublish += bytes;
        }
    }

    private static String size(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }

    /** Forgets the message in progress on a chunk stream, giving its buffer back. */
    private void drop(ChunkStream cs) {
        if (cs.partial != null) {
            release(cs.partial.length);
            cs.partial = null;
        }
        cs.filled = 0;
    }

    /** Gives {@code bytes} back: to each share what this connection took from it, the earlier share first. */
    private void release(long bytes) {
        long early = Math.min(bytes, heldBeforePublish);
        heldBeforePublish -= early;
        pool.beforePublish().release(early);
        heldPublishing -= bytes - early;
        pool.publishing().release(bytes - early);
    }

    /** The connection is gone (or the decoder left the pipeline): every buffer goes back to the pool. */
    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        for (int i = 0; i < streamCount; i++) {
            drop(streams[i]);
        }
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
                    drop(streams[i]);
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
