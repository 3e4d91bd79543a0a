package io.castpipe.api.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.castpipe.common.events.IngestFigures;

/**
 * What a streamer should change in their encoder, judged from the figures ingest measured: a
 * keyframe interval that does not fit the live segment duration, a frame rate far below the one
 * the encoder declares.
 */
public final class IngestWarnings {
    /** One thing to change: a stable code and a sentence for the streamer. */
    public record Warning(String code, String message) {
    }

    /** Timestamps are whole milliseconds and encoders place keyframes on frames: allow that much. */
    private static final double KEYFRAME_JITTER_SECONDS = 0.1;
    /** Below this share of the declared frame rate the encoder is dropping frames. */
    private static final double LOW_FPS_SHARE = 0.8;
    /** The frame rate of the first seconds is not judged: encoders settle. */
    private static final double MIN_WINDOW_SECONDS = 3;

    private final int segmentSeconds;

    public IngestWarnings(int segmentSeconds) {
        this.segmentSeconds = segmentSeconds;
    }

    public List<Warning> of(IngestFigures measured, Double declaredFps) {
        List<Warning> out = new ArrayList<>();
        if (measured == null) {
            return out;
        }
        Double interval = measured.keyframeIntervalSeconds();
        Double longest = measured.maxKeyframeIntervalSeconds();
        boolean tooLong = longest != null && longest > segmentSeconds + KEYFRAME_JITTER_SECONDS;
        if (tooLong || interval != null && !fitsSegments(interval)) {
            String seen = interval == null
                    ? "Keyframes are at least " + seconds(longest) + " s apart"
                    : "Keyframes arrive every " + seconds(interval) + " s"
                    + (longest != null && longest > interval + KEYFRAME_JITTER_SECONDS ? " (up to " + seconds(longest) + " s apart)" : "");
            String ffmpeg = measured.fps() == null || measured.fps() < 1 ? ""
                    : String.format(Locale.ROOT, "; with ffmpeg, -g %d at %s fps", Math.round(measured.fps() * segmentSeconds),
                    seconds(measured.fps()));
            out.add(new Warning("keyframe_interval", seen + ", which does not fit the " + segmentSeconds
                    + " s live segments. In OBS set Keyframe Interval = " + segmentSeconds
                    + " s (Settings → Output, Advanced output mode, Streaming tab)" + ffmpeg + "."));
        }
        if (declaredFps != null && declaredFps >= 1 && measured.fps() != null && measured.windowSeconds() >= MIN_WINDOW_SECONDS
                && measured.fps() < declaredFps * LOW_FPS_SHARE) {
            out.add(new Warning("low_frame_rate", "The encoder declares " + seconds(declaredFps) + " fps but sends "
                    + seconds(measured.fps()) + ": it is dropping frames, usually because it is overloaded. In OBS lower the "
                    + "Output (Scaled) Resolution or the frame rate, or choose a faster encoder preset."));
        }
        return out;
    }

    /** Whether a whole number of keyframe intervals makes one segment, so every segment can start on a keyframe. */
    private boolean fitsSegments(double interval) {
        long perSegment = Math.round(segmentSeconds / interval);
        return perSegment >= 1 && Math.abs(perSegment * interval - segmentSeconds) <= KEYFRAME_JITTER_SECONDS;
    }

    private static String seconds(double v) {
        return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.1f", v);
    }
}
