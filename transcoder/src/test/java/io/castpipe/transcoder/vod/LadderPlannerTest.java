package io.castpipe.transcoder.vod;

import java.util.List;

import io.castpipe.common.events.SourceInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LadderPlannerTest {

    private static SourceInfo source(int w, int h, double fps, String audio) {
        return new SourceInfo("mov", 10, w, h, 0, fps, "h264", "yuv420p", audio, 5_000_000, 1_000_000);
    }

    @Test
    void a1080pSourceGetsTheFullLadder() {
        List<Rung> rungs = LadderPlanner.plan(source(1920, 1080, 30, "aac"));
        assertThat(rungs).extracting(Rung::name).containsExactly("1080p", "720p", "480p", "360p");
        assertThat(rungs).extracting(Rung::width).containsExactly(1920, 1280, 854, 640);
        assertThat(rungs).extracting(Rung::videoKbps).containsExactly(6000, 3000, 1400, 700);
        assertThat(rungs).allMatch(r -> r.audioKbps() == 128);
    }

    @Test
    void neverUpscales() {
        assertThat(LadderPlanner.plan(source(1280, 720, 30, "aac"))).extracting(Rung::name)
                .containsExactly("720p", "480p", "360p");
        assertThat(LadderPlanner.plan(source(3840, 2160, 30, "aac"))).extracting(Rung::height).first().isEqualTo(1080);
    }

    @Test
    void portraitVideosKeepTheirOrientation() {
        List<Rung> rungs = LadderPlanner.plan(source(1080, 1920, 30, "aac"));
        assertThat(rungs.get(1)).isEqualTo(new Rung("720p", 720, 1280, 3000, 128));
    }

    @Test
    void aTinySourceGetsOneRungAtItsOwnSizeAndOddSizesBecomeEven() {
        List<Rung> rungs = LadderPlanner.plan(source(321, 241, 25, null));
        assertThat(rungs).hasSize(1);
        Rung r = rungs.get(0);
        assertThat(r.height()).isEqualTo(240);
        assertThat(r.width() % 2).isZero();
        assertThat(r.audioKbps()).isZero();
    }

    @Test
    void highFrameRatesCostMoreAndAreCappedAt60() {
        assertThat(LadderPlanner.plan(source(1280, 720, 60, "aac")).get(0).videoKbps()).isEqualTo(4500);
        assertThat(LadderPlanner.outputFrameRate(source(1280, 720, 120, "aac"))).isEqualTo(60);
        assertThat(LadderPlanner.outputFrameRate(source(1280, 720, 0, "aac"))).isEqualTo(30);
    }
}
