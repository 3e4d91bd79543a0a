package io.castpipe.transcoder.live;

/**
 * How a live stream is encoded: a keyframe every {@code keyframeSeconds} (the segment length
 * must be a multiple of it), fMP4 fragments closed after {@code fragmentMicros} (a fragment is an
 * LL-HLS part), the x264 preset, and whether the source itself is offered beside the ladder
 * ({@code CASTPIPE_LIVE_PASSTHROUGH}).
 */
public record LiveSettings(int keyframeSeconds, long fragmentMicros, String preset, boolean passthrough) {
}
