package io.castpipe.chat.limit;

import java.time.Duration;

/**
 * Bounds the frames of one connection, whatever they are: {@link #FRAMES_PER_SECOND} a second
 * with as many at once. The first frame over the limit is answered with an error; a client that
 * keeps sending regardless, {@link #REFUSALS_BEFORE_CLOSE} frames over the limit in a row, is cut off.
 */
public final class FloodGuard {
    public static final int FRAMES_PER_SECOND = 20;
    public static final int REFUSALS_BEFORE_CLOSE = 20;

    public enum Verdict { PASS, WARN, IGNORE, CLOSE }

    private final TokenBucket frames;
    private int refusedInARow;

    public FloodGuard(long nowNanos) {
        this.frames = new TokenBucket(FRAMES_PER_SECOND, Duration.ofSeconds(1).dividedBy(FRAMES_PER_SECOND), nowNanos);
    }

    public Verdict onFrame(long nowNanos) {
        if (frames.tryTake(nowNanos)) {
            refusedInARow = 0;
            return Verdict.PASS;
        }
        refusedInARow++;
        if (refusedInARow >= REFUSALS_BEFORE_CLOSE) {
            return Verdict.CLOSE;
        }
        return refusedInARow == 1 ? Verdict.WARN : Verdict.IGNORE;
    }
}
