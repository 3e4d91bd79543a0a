package io.castpipe.transcoder.live;

import java.util.List;
import java.util.Set;

import io.castpipe.transcoder.vod.Rung;

/**
 * What one live ladder ffmpeg makes of its input: the rungs, which of them carry the input
 * copied rather than encoded, the x264 preset of the others, and where their keyframes and
 * fragments fall.
 *
 * @param copied          the rungs not encoded but carrying the input as it is (a source rung always)
 * @param keyframePhaseMs how far into a keyframe interval the first frame falls: the second
 *                        keyframe comes {@code keyframeSeconds} less that after the first
 */
record LadderEncoding(List<Rung> rungs, Set<String> copied, String preset, double frameRate, boolean audio,
                      int keyframeSeconds, long fragmentMicros, long keyframePhaseMs) {
    LadderEncoding {
        if (keyframePhaseMs < 0 || keyframePhaseMs >= keyframeSeconds * 1000L) {
            throw new IllegalArgumentException("keyframe phase " + keyframePhaseMs + " ms outside the interval");
        }
        rungs = List.copyOf(rungs);
        copied = Set.copyOf(copied);
    }

    boolean copies(Rung rung) {
        return rung.isSource() || copied.contains(rung.name());
    }
}
