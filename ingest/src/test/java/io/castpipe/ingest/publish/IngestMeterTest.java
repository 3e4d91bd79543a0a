package io.castpipe.ingest.publish;

import java.time.Instant;

import io.castpipe.common.events.IngestFigures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The meter fed synthetic tags: timestamps and sizes as an encoder at known settings sends them. */
class IngestMeterTest {
    private static final Instant NOW = Instant.parse("2026-11-30T08:00:00Z");

    /** Video at {@code fps} with {@code frameBytes} a frame and a keyframe every {@code gop} frames, from {@code fromFrame}. */
    private static void video(IngestMeter meter, double fps, int gop, int frameBytes, int fromFrame, int toFrame) {
        for (int n = fromFrame; n < toFrame; n++) {
            meter.video(Math.round(n * 1000 / fps), frameBytes, n % gop == 0);
        }
    }

    /** 44.1 kHz AAC (1024 samples a frame) from a stream's start, the frames stamped from {@code fromMs} to {@code toMs}. */
    private static void audio(IngestMeter meter, int frameBytes, long fromMs, long toMs) {
        for (long n = 0; ; n++) {
            long ts = Math.round(n * 1024 * 1000 / 44100.0);
            if (ts >= toMs) {
                return;
            }
            if (ts >= fromMs) {
                meter.audio(ts, frameBytes);
            }
        }
    }

    @Test
    void aSteadyStreamIsMeasuredAsSent() {
        IngestMeter meter = new IngestMeter();
        // 30 fps, 2 s GOP, 10,000-byte frames = 2,400 kbit/s; 372-byte AAC frames ≈ 128 kbit/s.
        for (int s = 0; s < 15; s++) { // interleaved a second at a time, as they arrive
            video(meter, 30, 60, 10_000, 30 * s, 30 * (s + 1));
            audio(meter, 372, 1000L * s, 1000L * (s + 1));
        }

        IngestFigures f = meter.figures(NOW);
        assertThat(f.measuredAt()).isEqualTo(NOW);
        assertThat(f.windowSeconds()).isEqualTo(IngestMeter.WINDOW_SECONDS);
        assertThat(f.fps()).isEqualTo(30.0);
        assertThat(f.videoBitrateKbps()).isEqualTo(2400);
        assertThat(f.audioBitrateKbps()).isBetween(127, 129);
        assertThat(f.keyframeIntervalSeconds()).isEqualTo(2.0);
        assertThat(f.maxKeyframeIntervalSeconds()).isEqualTo(2.0);
    }

    @Test
    void nothingIsReportedBeforeAWholeSecondAndNoIntervalBeforeTwoKeyframes() {
        IngestMeter meter = new IngestMeter();
        assertThat(meter.figures(NOW)).isNull();
        video(meter, 30, 150, 5000, 0, 29);
        assertThat(meter.figures(NOW)).isNull();

        video(meter, 30, 150, 5000, 29, 90);
        IngestFigures f = meter.figures(NOW);
        assertThat(f.windowSeconds()).isEqualTo(2);
        assertThat(f.fps()).isEqualTo(30.0);
        assertThat(f.keyframeIntervalSeconds()).isNull();
        // one keyframe at 0 and nothing since for 2.967 s: the gap is already that long
        assertThat(f.maxKeyframeIntervalSeconds()).isEqualTo(2.967);
        assertThat(f.audioBitrateKbps()).isNull();
        assertThat(f.width()).isNull();
    }

    @Test
    void theWindowFollowsTheStream() {
        IngestMeter meter = new IngestMeter();
        // 20 s at 60 fps with 1 s keyframes, then 12 s at 25 fps with 5 s keyframes
        video(meter, 60, 60, 2000, 0, 1200);
        video(meter, 25, 125, 8000, 500, 800);
        IngestFigures f = meter.figures(NOW);
        assertThat(f.fps()).isEqualTo(25.0);
        assertThat(f.videoBitrateKbps()).isEqualTo(1600);
        assertThat(f.keyframeIntervalSeconds()).isEqualTo(5.0);
        assertThat(f.maxKeyframeIntervalSeconds()).isEqualTo(5.0);
    }

    @Test
    void anIrregularKeyframeIsTheMaximumUntilItLeavesTheWindow() {
        IngestMeter meter = new IngestMeter();
        for (int n = 0; n < 30 * 30; n++) {
            long ts = Math.round(n * 1000 / 30.0);
            boolean keyframe = n % 60 == 0 && n != 120; // the keyframe at 4 s is missing: one gap of 4 s
            meter.video(ts, 1000, keyframe);
            if (n == 30 * 12) {
                IngestFigures during = meter.figures(NOW);
                assertThat(during.keyframeIntervalSeconds()).isEqualTo(2.0);
                assertThat(during.maxKeyframeIntervalSeconds()).isEqualTo(4.0);
            }
        }
        IngestFigures after = meter.figures(NOW);
        assertThat(after.maxKeyframeIntervalSeconds()).isEqualTo(2.0);
    }

    @Test
    void aRestartedClockStartsTheMeasurementOver() {
        IngestMeter meter = new IngestMeter();
        video(meter, 30, 60, 4000, 0, 30 * 60); // a minute in
        video(meter, 30, 30, 1000, 0, 30 * 3); // the encoder restarted at 0 with other settings
        IngestFigures f = meter.figures(NOW);
        assertThat(f.windowSeconds()).isEqualTo(2);
        assertThat(f.videoBitrateKbps()).isEqualTo(240);
        assertThat(f.keyframeIntervalSeconds()).isEqualTo(1.0);
        assertThat(f.maxKeyframeIntervalSeconds()).isEqualTo(1.0);

        video(meter, 30, 30, 1000, 30 * 3600, 30 * 3600 + 90); // an hour ahead: over again
        assertThat(meter.figures(NOW).windowSeconds()).isEqualTo(2);
    }

    @Test
    void audioOnlyHasNoVideoFigures() {
        IngestMeter meter = new IngestMeter();
        audio(meter, 200, 0, 5000);
        IngestFigures f = meter.figures(NOW);
        assertThat(f.audioBitrateKbps()).isBetween(68, 70);
        assertThat(f.videoBitrateKbps()).isNull();
        assertThat(f.fps()).isNull();
        assertThat(f.keyframeIntervalSeconds()).isNull();
        assertThat(f.maxKeyframeIntervalSeconds()).isNull();
    }
}
