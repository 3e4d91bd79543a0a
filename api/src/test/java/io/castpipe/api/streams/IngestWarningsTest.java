package io.castpipe.api.streams;

import java.time.Instant;
import java.util.List;

import io.castpipe.common.events.IngestFigures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class IngestWarningsTest {

    private static IngestFigures figures(double fps, Double interval, Double longest, double window) {
        return new IngestFigures(Instant.EPOCH, window, 2500, 128, fps, interval, longest, 1280, 720);
    }

    @ParameterizedTest(name = "{0} s segments, keyframes every {1} s, at most {2} s apart: warned {3}")
    @CsvSource(nullValues = "-", value = {
            "2, 2.0, 2.0, false", "2, 2.002, 2.033, false", "2, 1.0, 1.0, false", "2, 0.5, 0.5, false",
            "2, 1.967, 2.067, false", "6, 2.0, 2.0, false", "6, 3.0, 3.0, false",
            "2, 1.5, 1.5, true", "2, 3.0, 3.0, true", "2, 5.0, 5.0, true", "2, 2.0, 4.0, true", "6, 4.0, 4.0, true",
            "2, -, 1.9, false", "2, -, 4.833, true"})
    void theKeyframeIntervalMustMakeWholeSegments(int segment, Double interval, Double longest, boolean warned) {
        List<IngestWarnings.Warning> w = new IngestWarnings(segment).of(figures(30, interval, longest, 10), null);
        assertThat(w.stream().anyMatch(x -> x.code().equals("keyframe_interval"))).isEqualTo(warned);
        if (warned) {
            assertThat(w.get(0).message()).contains("Keyframe Interval = " + segment + " s", "-g " + 30 * segment + " at 30 fps");
        }
    }

    @ParameterizedTest(name = "declared {0}, measured {1} over {2} s: warned {3}")
    @CsvSource(nullValues = "-", value = {"30, 29.9, 10, false", "60, 50, 10, false", "60, 45, 10, true", "30, 20, 2, false",
            "-, 5, 10, false", "0, 5, 10, false"})
    void aFrameRateFarBelowTheDeclaredOneIsWarned(Double declared, double measured, double window, boolean warned) {
        List<IngestWarnings.Warning> w = new IngestWarnings(2).of(figures(measured, 2.0, 2.0, window), declared);
        assertThat(w).extracting(IngestWarnings.Warning::code).isEqualTo(warned ? List.of("low_frame_rate") : List.of());
    }

    @Test
    void nothingMeasuredIsNoWarning() {
        assertThat(new IngestWarnings(2).of(null, 30.0)).isEmpty();
    }
}
