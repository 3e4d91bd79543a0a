package io.castpipe.common.events;

import java.time.Instant;

/**
 * What a publisher really sends, as ingest measured it from the media tags that arrived over the
 * last seconds of media time (the STATS {@link StreamEvent}). A figure is null when the stream has
 * no such media (no audio, say) or not enough of it yet (one keyframe gives no interval).
 *
 * @param windowSeconds               the media time the rates are measured over
 * @param keyframeIntervalSeconds     between the last two keyframes
 * @param maxKeyframeIntervalSeconds  the longest gap between keyframes in the window, the last one and the one
 *                                    still open included
 */
public record IngestFigures(Instant measuredAt, double windowSeconds, Integer videoBitrateKbps, Integer audioBitrateKbps,
                            Double fps, Double keyframeIntervalSeconds, Double maxKeyframeIntervalSeconds,
                            Integer width, Integer height) {
}
