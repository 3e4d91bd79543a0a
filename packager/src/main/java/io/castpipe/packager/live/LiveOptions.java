package io.castpipe.packager.live;

import java.time.Duration;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;

/**
 * How live renditions are packaged: the segment target duration ({@code CASTPIPE_LIVE_SEGMENT_SECONDS})
 * and how many segments a media playlist lists ({@code CASTPIPE_LIVE_WINDOW_SEGMENTS}).
 */
public record LiveOptions(Duration segmentTarget, int windowSegments) {

    public LiveOptions {
        if (segmentTarget.isZero() || segmentTarget.isNegative()) {
            throw new IllegalArgumentException("segment target must be positive");
        }
        if (windowSegments < LivePlaylist.MIN_WINDOW) {
            throw new IllegalArgumentException("a live window needs at least " + LivePlaylist.MIN_WINDOW + " segments");
        }
    }

    public static LiveOptions from(CastpipeConfig config) {
        return new LiveOptions(Duration.ofSeconds(config.integer(Setting.LIVE_SEGMENT_SECONDS, 1, 30)),
                config.integer(Setting.LIVE_WINDOW_SEGMENTS, LivePlaylist.MIN_WINDOW, 1000));
    }

    public LivePlaylist newPlaylist() {
        return new LivePlaylist(windowSegments, segmentTarget);
    }

    /** A segmenter for one rendition; {@code anchorEpochMs} is the wall clock of its first media timestamp. */
    public LiveSegmenter newSegmenter(long anchorEpochMs, LiveSegmenter.Listener listener) {
        return new LiveSegmenter(segmentTarget, anchorEpochMs, listener);
    }
}
