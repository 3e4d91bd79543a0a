package io.castpipe.packager.live;

import java.time.Duration;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;
import io.castpipe.common.media.LatencyMode;

/**
 * How the live renditions of a channel in one latency mode are packaged: the segment target
 * duration ({@code CASTPIPE_LIVE_SEGMENT_SECONDS} for low and normal, {@code
 * CASTPIPE_LIVE_HIGH_SEGMENT_SECONDS} for high), how many segments a media playlist lists
 * ({@code CASTPIPE_LIVE_WINDOW_SEGMENTS}) and the length of an LL-HLS part ({@code
 * CASTPIPE_LIVE_PART_MS}, low only; 0 cuts no parts).
 */
public record LiveOptions(Duration segmentTarget, int windowSegments, int partMillis) {

    public LiveOptions {
        if (segmentTarget.isZero() || segmentTarget.isNegative()) {
            throw new IllegalArgumentException("segment target must be positive");
        }
        if (windowSegments < LivePlaylist.MIN_WINDOW) {
            throw new IllegalArgumentException("a live window needs at least " + LivePlaylist.MIN_WINDOW + " segments");
        }
        if (partMillis < 0 || partMillis * 2L > segmentTarget.toMillis()) {
            throw new IllegalArgumentException("a part is 0 (none) or at most half a segment, not " + partMillis + " ms");
        }
    }

    public static LiveOptions from(CastpipeConfig config, LatencyMode mode) {
        int shortSegment = config.integer(Setting.LIVE_SEGMENT_SECONDS, 1, 30);
        Duration segment = Duration.ofSeconds(mode == LatencyMode.HIGH ? config.integer(Setting.LIVE_HIGH_SEGMENT_SECONDS, 1, 30)
                : shortSegment);
        int window = config.integer(Setting.LIVE_WINDOW_SEGMENTS, LivePlaylist.MIN_WINDOW, 1000);
        int partMs = config.integer(Setting.LIVE_PART_MS, 0, shortSegment * 1000 / 2);
        return new LiveOptions(segment, window, mode == LatencyMode.LOW ? partMs : 0);
    }

    /** How parts are cut at this frame rate; empty when parts are off. */
    public java.util.Optional<PartPlan> parts(double frameRate) {
        return partMillis == 0 ? java.util.Optional.empty() : java.util.Optional.of(PartPlan.of(partMillis, frameRate));
    }

    public LivePlaylist newPlaylist() {
        return new LivePlaylist(windowSegments, segmentTarget);
    }

    /** A segmenter for one rendition; {@code anchorEpochMs} is the wall clock of its first media timestamp. */
    public LiveSegmenter newSegmenter(long anchorEpochMs, LiveSegmenter.Listener listener) {
        return new LiveSegmenter(segmentTarget, anchorEpochMs, listener);
    }
}
