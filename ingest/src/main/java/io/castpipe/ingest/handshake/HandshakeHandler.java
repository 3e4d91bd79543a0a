package io.castpipe.ingest.handshake;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.castpipe.ingest.chunk.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The simple RTMP handshake, server side: reads C0 (version 3) and C1, answers S0, S1 and S2
 * (S2 echoes C1), reads C2, then leaves the pipeline, passing on any bytes that followed.
 * A peer that does not finish within the timeout is closed.
 */
public final class HandshakeHandler extends ByteToMessageDecoder {
    public static final int VERSION = 3;
    public static final int SIZE = 1536;

    private final long timeoutMillis;
    private ScheduledFuture<?> timeout;
    private boolean answered;

    public HandshakeHandler(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            ctx.fireExceptionCaught(new RtmpProtocolException("handshake not finished within " + timeoutMillis + " ms"));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!answered) {
            if (in.readableBytes() < 1 + SIZE) {
                return;
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new RtmpProtocolException("RTMP handshake version " + version + " (only 3, plain RTMP, is served)");
            }
            ByteBuf reply = ctx.alloc().buffer(1 + 2 * SIZE);
            reply.writeByte(VERSION);
            reply.writeInt(0); // S1 time
            reply.writeInt(0); // zero
            byte[] random = new byte[SIZE - 8];
            ThreadLocalRandom.current().nextBytes(random);
            reply.writeBytes(random);
            reply.writeBytes(in, SIZE); // S2 echoes C1
            ctx.writeAndFlush(reply);
            answered = true;
        }
        if (in.readableBytes() < SIZE) {
            return;
        }
        in.skipBytes(SIZE); // C2: the echo of S1, not checked
        ctx.pipeline().remove(this);
    }
}
