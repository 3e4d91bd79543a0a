package io.castpipe.transcoder.live;

/**
 * How a live stream is encoded: a keyframe every {@code keyframeSeconds} (the segment length
 * must be a multiple of it), fMP4 fragments of at most {@code fragmentMs} (the LL-HLS part
 * length), the x264 preset, and whether the source itself is offered beside the ladder
 * ({@code CASTPIPE_LIVE_PASSTHROUGH}).
 */
public record LiveSettings(int keyframeSeconds, int fragmentMs, String preset, boolean passthrough) {
}
