package io.castpipe.transcoder.live;

import java.util.List;

import io.castpipe.transcoder.vod.Rung;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LadderStepTest {
    private static final List<Rung> RUNGS = List.of(Rung.source(1920, 1080, 0), new Rung("720p", 1280, 720, 3000, 128),
            new Rung("480p", 854, 480, 1400, 128), new Rung("360p", 640, 360, 700, 128));

    @Test
    void eachStepEncodesLessAndTheSourceFillsTheRest() {
        assertThat(LadderStep.CONFIGURED.copied(RUNGS)).containsExactly("source");
        assertThat(LadderStep.FASTEST_PRESET.copied(RUNGS)).containsExactly("source");
        assertThat(LadderStep.FEWER_RUNGS.copied(RUNGS)).containsExactlyInAnyOrder("source", "720p", "480p");
        assertThat(LadderStep.PASSTHROUGH.copied(RUNGS)).containsExactlyInAnyOrder("source", "720p", "480p", "360p");
        assertThat(LadderStep.CONFIGURED.preset("veryfast")).isEqualTo("veryfast");
        assertThat(LadderStep.FEWER_RUNGS.preset("veryfast")).isEqualTo("ultrafast");
    }

    @Test
    void saysWhatIsEncodedAndWhatCarriesTheSource() {
        List<Rung> ladder = RUNGS.subList(1, 4);
        assertThat(LadderStep.CONFIGURED.describe("superfast", ladder)).isEqualTo("x264 superfast");
        assertThat(LadderStep.FEWER_RUNGS.describe("superfast", ladder))
                .isEqualTo("x264 ultrafast, 360p encoded, 720p and 480p the source");
        assertThat(LadderStep.PASSTHROUGH.describe("superfast", ladder)).isEqualTo("the source passed through");
        assertThat(LadderStep.FEWER_RUNGS.label()).isEqualTo("fewer-rungs");
    }

    @Test
    void climbsSkipStepsThatChangeNothing() {
        List<Rung> one = RUNGS.subList(3, 4);
        assertThat(LadderStep.PASSTHROUGH.shallower("ultrafast", one)).isEqualTo(LadderStep.CONFIGURED);
        assertThat(LadderStep.PASSTHROUGH.shallower("superfast", one)).isEqualTo(LadderStep.FASTEST_PRESET);
        assertThat(LadderStep.CONFIGURED.shallower("superfast", one)).isEqualTo(LadderStep.CONFIGURED);
        assertThat(LadderStep.PASSTHROUGH.deeper("superfast", one)).isEqualTo(LadderStep.PASSTHROUGH);
    }
}
