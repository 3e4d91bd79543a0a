package io.castpipe.packager.live;

/**
 * How LL-HLS parts are cut: {@code frames} whole frames at the ladder's frame rate each, so
 * every part but the last of a segment (which ends at the forced keyframe) has the same length.
 * The encoder is told to close a fragment half a frame before a part is full, so it closes at
 * the frame that fills it: one fragment, one part.
 */
public record PartPlan(int frames, double frameRate) {

    public PartPlan {
        if (frames < 1 || !(frameRate > 0)) {
            throw new IllegalArgumentException("a part needs at least one frame at a positive frame rate");
        }
    }

    /** The plan closest to {@code millis} per part; at least one frame. */
    public static PartPlan of(int millis, double frameRate) {
        return new PartPlan(Math.max(1, (int) Math.round(millis * frameRate / 1000)), frameRate);
    }

    /** EXT-X-PART-INF's PART-TARGET: a part's length rounded up to the millisecond, so none exceeds it. */
    public double targetSeconds() {
        return Math.ceil(frames / frameRate * 1000 - 1e-6) / 1000;
    }

    /** The fragment duration to ask the encoder for, in microseconds. */
    public long fragmentMicros() {
        return Math.round((frames - 0.5) / frameRate * 1_000_000);
    }
}
