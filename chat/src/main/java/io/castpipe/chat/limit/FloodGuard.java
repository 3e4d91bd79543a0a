package io.castpipe.chat.limit;

import java.time.Duration;

/**
 * Bounds the frames of one connection, whatever they are: {@link #FRAMES_PER_SECOND} a second
 * with as many at once. A flood lasts from the first frame over the limit until the client has
 * sent nothing over it for {@link #QUIET}; its first refused frame is answered with an error, and
 * {@link #REFUSALS_BEFORE_CLOSE} refused frames in one flood cut the client off.
 *
 * <p>The flood ends on quiet, not on the next frame within the limit: a client sending just over
 * the limit earns a token now and then, and ending the flood there warned it again and again and
 * never closed it.
 */
public final class FloodGuard {
    public static final int FRAMES_PER_SECOND = 20;
    public static final int REFUSALS_BEFORE_CLOSE = 20;
    static final long QUIET = Duration.ofSeconds(1).toNanos();

    public enum Verdict { PASS, WARN, IGNORE, CLOSE }

    private final TokenBucket frames;
    private int refusedInFlood;
    private long lastRefusedAt;

    public FloodGuard(long nowNanos) {
        this.frames = new TokenBucket(FRAMES_PER_SECOND, Duration.ofSeconds(1).dividedBy(FRAMES_PER_SECOND), nowNanos);
    }

    public Verdict onFrame(long nowNanos) {
        if (refusedInFlood > 0 && nowNanos - lastRefusedAt >= QUIET) {
            refusedInFlood = 0;
        }
        if (frames.tryTake(nowNanos)) {
            return Verdict.PASS;
        }
        refusedInFlood++;
        lastRefusedAt = nowNanos;
        if (refusedInFlood >= REFUSALS_BEFORE_CLOSE) {
            return Verdict.CLOSE;
        }
        return refusedInFlood == 1 ? Verdict.WARN : Verdict.IGNORE;
    }
}
