package io.castpipe.ingest.session;

import java.io.IOException;

import io.castpipe.ingest.amf.AmfException;
import io.castpipe.ingest.chunk.RtmpLimitException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's last handler: whatever went wrong on a connection is logged once, as one line
 * with the peer's address, and the connection is closed. Nothing reaches Netty's own
 * "unhandled exception" logging.
 */
public final class ErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);
    private final Refusals refusals;
    private boolean logged;

    public ErrorHandler(Refusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!logged) {
            logged = true;
            Throwable c = cause;
            if (c instanceof DecoderException && c.getCause() != null && !(c instanceof io.castpipe.ingest.chunk.RtmpProtocolException)) {
                c = c.getCause();
            }
            Object peer = ctx.channel().remoteAddress();
            if (c instanceof RtmpLimitException limit) {
                refusals.count(limit.reason());
            }
            if (c instanceof ReadTimeoutException) {
                log.info("rtmp {}: nothing received for too long; closing", peer);
            } else if (c instanceof IOException) {
                log.debug("rtmp {}: {}; closing", peer, c.getMessage());
            } else if (c instanceof DecoderException || c instanceof AmfException) {
                log.info("rtmp {}: {}; closing", peer, c.getMessage());
            } else {
                log.warn("rtmp {}: unexpected {}: {}; closing", peer, c.getClass().getSimpleName(), c.getMessage());
            }
        }
        ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        io.netty.util.ReferenceCountUtil.release(msg);
    }
}
