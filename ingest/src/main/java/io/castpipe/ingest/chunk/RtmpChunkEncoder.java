package io.castpipe.ingest.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Cuts outbound {@link RtmpMessage}s into chunks: a format 0 header, then format 3 headers for
 * the continuation chunks, at the chunk size this side announced ({@link #chunkSize(int)}).
 */
public final class RtmpChunkEncoder extends MessageToByteEncoder<RtmpMessage> {
    private int chunkSize = RtmpChunkDecoder.DEFAULT_CHUNK_SIZE;

    public RtmpChunkEncoder() {
        super(RtmpMessage.class);
    }

    /** Takes effect for messages written after this call (announce it with Set Chunk Size first). */
    public void chunkSize(int size) {
        this.chunkSize = size;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RtmpMessage m, ByteBuf out) {
        encode(m, chunkSize, out);
    }

    public static void encode(RtmpMessage m, int chunkSize, ByteBuf out) {
        byte[] p = m.payload();
        boolean extended = m.timestamp() >= 0xFFFFFF;
        int offset = 0;
        do {
            basicHeader(offset == 0 ? 0 : 3, m.chunkStreamId(), out);
            if (offset == 0) {
                out.writeMedium(extended ? 0xFFFFFF : (int) m.timestamp());
                out.writeMedium(p.length);
                out.writeByte(m.typeId());
                out.writeIntLE(m.messageStreamId());
            }
            if (extended) {
                out.writeInt((int) m.timestamp());
            }
            int n = Math.min(chunkSize, p.length - offset);
            out.writeBytes(p, offset, n);
            offset += n;
        } while (offset < p.length);
    }

    private static void basicHeader(int fmt, int csid, ByteBuf out) {
        if (csid >= 2 && csid <= 63) {
            out.writeByte((fmt << 6) | csid);
        } else if (csid >= 64 && csid <= 319) {
            out.writeByte(fmt << 6);
            out.writeByte(csid - 64);
        } else if (csid >= 64 && csid <= 65_599) {
            out.writeByte((fmt << 6) | 1);
            out.writeByte((csid - 64) & 0xff);
            out.writeByte((csid - 64) >>> 8);
        } else {
            throw new IllegalArgumentException("chunk stream id " + csid + " out of range");
        }
    }
}
