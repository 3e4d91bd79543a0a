package io.castpipe.ingest.session;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a connection {@code CASTPIPE_RTMP_PUBLISH_TIMEOUT_SECONDS} from its accept to an accepted
 * publish. When the time is up it logs and counts the connection and fires {@link Expired} on to
 * the session, which tells the peer why and closes. The session {@linkplain #lift lifts} it once
 * the publish is accepted or refused.
 */
public final class PublishDeadline extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PublishDeadline.class);

    /** The deadline passed without a publish; {@code why} says so in words. */
    public record Expired(String why) {
    }

    private final Duration timeout;
    private final Refusals refusals;
    private ScheduledFuture<?> timer;

    public PublishDeadline(Duration timeout, Refusals refusals) {
        this.timeout = timeout;
        this.refusals = refusals;
    }

    /** Takes the deadline out of the pipeline, if it is still there. */
    static void lift(ChannelPipeline pipeline) {
        if (pipeline.get(PublishDeadline.class) != null) {
            pipeline.remove(PublishDeadline.class);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> expire(ctx), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.cancel(false);
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        refusals.count(Refusals.PUBLISH_TIMEOUT);
        String why = "no publish within " + timeout.toSeconds() + " s of connecting";
        log.info("rtmp {}: {}; closing", ctx.channel().remoteAddress(), why);
        ctx.fireUserEventTriggered(new Expired(why));
    }
}
