package io.castpipe.ingest.session;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Counts the bytes a connection received: for RTMP acknowledgements and the bytes-in meter. */
public final class InboundBytes extends ChannelInboundHandlerAdapter {
    private final Counter meter;
    private long total;

    public InboundBytes(Counter meter) {
        this.meter = meter;
    }

    public long total() {
        return total;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            total += b.readableBytes();
            meter.increment(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }
}
