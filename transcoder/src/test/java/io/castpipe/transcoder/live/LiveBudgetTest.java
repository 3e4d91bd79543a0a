package io.castpipe.transcoder.live;

import java.util.List;
import java.util.Map;

import io.castpipe.common.events.SourceInfo;
import io.castpipe.transcoder.vod.LadderPlanner;
import io.castpipe.transcoder.vod.Rung;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LiveBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    /** 720p at 30 fps. */
    private static final double HD = 1280 * 720 * 30 / 1e6;
    private static final List<Rung> RUNGS = LadderPlanner.plan(new SourceInfo("flv", 0, 1280, 720, 0, 30, "h264", null, "aac", 0, 0));

    /** A stream whose ffmpeg (pid 7) uses {@code cores} for {@code seconds}, looked at each second. */
    private static void runs(LiveBudget budget, String stream, LadderStep step, double cores, int seconds) {
        for (int s = 0; s <= seconds; s++) {
            budget.sample(stream, Map.of(7L, (long) (s * cores * SECOND)), step, true, HD, s * SECOND);
        }
    }

    @Test
    void aStreamStartsOnTheFirstStepThatFitsBesideWhatTheOthersUse() {
        LiveBudget budget = new LiveBudget(2, "superfast");
        assertThat(budget.admit("a", LadderStep.CONFIGURED, RUNGS, HD)).as("an idle process: the prior, 0.55 cores, fits")
                .isEqualTo(LadderStep.CONFIGURED);
        runs(budget, "a", LadderStep.CONFIGURED, 1.2, 30);
        assertThat(budget.load()).isCloseTo(1.2, within(0.01));
        // What "a" cost on the configured step is now the estimate: 1.2 + 1.2 > 2; the fastest preset's prior (0.36) fits.
        assertThat(budget.admit("b", LadderStep.CONFIGURED, RUNGS, HD)).isEqualTo(LadderStep.FASTEST_PRESET);
        runs(budget, "b", LadderStep.FASTEST_PRESET, 0.7, 30);
        assertThat(budget.admit("c", LadderStep.CONFIGURED, RUNGS, HD)).as("1.9 used: only copying fits")
                .isEqualTo(LadderStep.PASSTHROUGH);
        assertThat(budget.fits("b", LadderStep.CONFIGURED, HD)).as("b climbing back: 1.2 + 1.2 does not fit").isFalse();
        assertThat(budget.fits("a", LadderStep.CONFIGURED, HD)).as("a's own use is not counted twice").isTrue();
    }

    @Test
    void aStandbyFirstSeenCountsFromItsStartAndAGoneStreamFreesItsShare() {
        LiveBudget budget = new LiveBudget(1, "superfast");
        budget.sample("a", Map.of(7L, 0L), LadderStep.CONFIGURED, false, HD, 0);
        budget.sample("a", Map.of(7L, SECOND / 2, 8L, SECOND / 4), LadderStep.CONFIGURED, false, HD, SECOND);
        assertThat(budget.coresOf("a")).as("the running ffmpeg and a standby started within the second").isEqualTo(0.75);
        budget.measure(Map.of(), 2 * SECOND);
        assertThat(budget.load()).isZero();
    }

    @Test
    void aSlowConfiguredPresetIsExpectedToCostMore() {
        LiveBudget budget = new LiveBudget(2, "veryslow");
        assertThat(budget.admit("a", LadderStep.CONFIGURED, RUNGS, HD)).as("veryslow's prior, 5.5 cores, does not fit")
                .isEqualTo(LadderStep.FASTEST_PRESET);
    }
}
