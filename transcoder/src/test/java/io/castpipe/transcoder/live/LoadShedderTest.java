package io.castpipe.transcoder.live;

import java.time.Duration;
import java.util.List;

import io.castpipe.transcoder.vod.Rung;
import org.junit.jupiter.api.Test;

import static io.castpipe.transcoder.live.LoadShedder.Step.CLIMB;
import static io.castpipe.transcoder.live.LoadShedder.Step.NONE;
import static io.castpipe.transcoder.live.LoadShedder.Step.SHED;
import static org.assertj.core.api.Assertions.assertThat;

class LoadShedderTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration RUNNING = Duration.ofMinutes(1);
    private static final List<Rung> RUNGS = List.of(new Rung("720p", 1280, 720, 3000, 128), new Rung("480p", 854, 480, 1400, 128),
            new Rung("360p", 640, 360, 700, 128));

    private final LoadShedder shedder = new LoadShedder("superfast");
    private long now = 1000 * SECOND;
    private long taken;

    /** One look a second later: ffmpeg took {@code speed} seconds of media in it, {@code backlogMs} wait. */
    private LoadShedder.Step second(double speed, long backlogMs) {
        now += SECOND;
        taken += Math.round(speed * 1000);
        return shedder.look("s", Duration.ofMillis(backlogMs), taken, RUNNING, RUNGS, now, step -> true);
    }

    @Test
    void anFfmpegSlowerThanRealTimeIsShedOnTheFastestPresetAtItsSecondSlowLook() {
        assertThat(second(1.0, 0)).isEqualTo(NONE);
        assertThat(second(0.6, 1000)).isEqualTo(NONE);
        assertThat(second(0.6, 1600)).as("behind, slow once").isEqualTo(NONE);
        assertThat(second(0.6, 2000)).isEqualTo(SHED);
        assertThat(shedder.step("s")).isEqualTo(LadderStep.FASTEST_PRESET);
    }

    @Test
    void aBurstWorkedThroughFasterThanRealTimeIsLeftAlone() {
        assertThat(second(1.0, 0)).isEqualTo(NONE);
        for (long backlog = 6000; backlog > 0; backlog -= 1000) {
            assertThat(second(2.0, backlog)).as("a replay of %d ms draining", backlog).isEqualTo(NONE);
        }
        assertThat(shedder.step("s")).isEqualTo(LadderStep.CONFIGURED);
    }

    @Test
    void aNewFfmpegIsNotJudgedWhileItWarmsUp() {
        for (int i = 0; i < 4; i++) {
            now += SECOND;
            assertThat(shedder.look("s", Duration.ofSeconds(3 + i), i * 100L, Duration.ofSeconds(i), RUNGS, now, step -> true))
                    .isEqualTo(NONE);
        }
    }

    @Test
    void theConfiguredPresetIsTriedAgainAfterAMinuteKeptUpAndLaterEachTimeItFailsSoon() {
        second(1.0, 0);
        second(0.5, 2000);
        assertThat(second(0.5, 2500)).isEqualTo(SHED);
        for (int i = 0; i < 59; i++) {
            assertThat(second(1.0, 100)).isEqualTo(NONE);
        }
        assertThat(second(1.0, 100)).isEqualTo(CLIMB);
        assertThat(shedder.step("s")).isEqualTo(LadderStep.CONFIGURED);

        // Too slow again within a minute of the try: the next try waits two minutes.
        second(0.5, 1000);
        second(0.5, 2000);
        assertThat(second(0.5, 2500)).isEqualTo(SHED);
        for (int i = 0; i < 119; i++) {
            assertThat(second(1.0, 100)).as("second %d", i).isEqualTo(NONE);
        }
        assertThat(second(1.0, 100)).isEqualTo(CLIMB);
    }

    @Test
    void aStreamTheBudgetStartedLowClimbsOnlyWhenTheStepAboveFits() {
        shedder.startAt("s", LadderStep.PASSTHROUGH, true, now);
        assertThat(shedder.heldByBudget("s")).isTrue();
        for (int i = 0; i < 90; i++) {
            now += SECOND;
            taken += 1000;
            assertThat(shedder.look("s", Duration.ofMillis(100), taken, RUNNING, RUNGS, now, step -> false))
                    .as("kept up, but the step above does not fit").isEqualTo(NONE);
        }
        now += SECOND;
        taken += 1000;
        assertThat(shedder.look("s", Duration.ofMillis(100), taken, RUNNING, RUNGS, now, step -> true)).isEqualTo(CLIMB);
        assertThat(shedder.step("s")).isEqualTo(LadderStep.FEWER_RUNGS);
        assertThat(shedder.heldByBudget("s")).as("still below the configured ladder for the budget").isTrue();
    }

    @Test
    void aClimbWhoseLadderDidNotTakeOverStaysShedAndWaitsTwiceAsLong() {
        second(1.0, 0);
        second(0.5, 2000);
        assertThat(second(0.5, 2500)).isEqualTo(SHED);
        for (int i = 0; i < 60; i++) {
            second(1.0, 100);
        }
        assertThat(shedder.step("s")).as("climbing").isEqualTo(LadderStep.CONFIGURED);
        shedder.climbFailed("s", now);
        assertThat(shedder.step("s")).isEqualTo(LadderStep.FASTEST_PRESET);
        for (int i = 0; i < 119; i++) {
            assertThat(second(1.0, 100)).as("second %d", i).isEqualTo(NONE);
        }
        assertThat(second(1.0, 100)).isEqualTo(CLIMB);
    }

    @Test
    void aStreamStillBehindGoesDownOneStepAtATimeToPassthroughAndClimbsBackTheSameWay() {
        second(1.0, 0);
        for (LadderStep expected : List.of(LadderStep.FASTEST_PRESET, LadderStep.FEWER_RUNGS, LadderStep.PASSTHROUGH)) {
            LoadShedder.Step got = NONE;
            // A step settles before the next; a new ffmpeg's speed is known from its second look.
            for (int look = 0; look < LoadShedder.SETTLE_ON_STEP.toSeconds() + 3 && got == NONE; look++) {
                got = second(0.5, 2500);
            }
            assertThat(got).isEqualTo(SHED);
            assertThat(shedder.step("s")).isEqualTo(expected);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(second(0.5, 2500)).as("nothing left to shed").isEqualTo(NONE);
        }
        for (LadderStep expected : List.of(LadderStep.FEWER_RUNGS, LadderStep.FASTEST_PRESET, LadderStep.CONFIGURED)) {
            for (int i = 0; i < 59; i++) {
                assertThat(second(1.0, 100)).isEqualTo(NONE);
            }
            assertThat(second(1.0, 100)).isEqualTo(CLIMB);
            assertThat(shedder.step("s")).isEqualTo(expected);
        }
    }

    @Test
    void stepsThatChangeNothingArePassedOver() {
        LoadShedder fastest = new LoadShedder("ultrafast");
        assertThat(shedOnce(fastest, RUNGS)).as("already on the fastest preset").isEqualTo(LadderStep.FEWER_RUNGS);
        assertThat(shedOnce(new LoadShedder("superfast"), RUNGS.subList(2, 3))).isEqualTo(LadderStep.FASTEST_PRESET);
        LoadShedder oneRung = new LoadShedder("ultrafast");
        assertThat(shedOnce(oneRung, RUNGS.subList(2, 3))).as("one rung: no fewer").isEqualTo(LadderStep.PASSTHROUGH);
    }

    private LadderStep shedOnce(LoadShedder s, List<Rung> rungs) {
        long t = 0;
        for (int i = 0; i < 3; i++) {
            now += SECOND;
            t += 500;
            s.look("s", Duration.ofSeconds(2 + i), t, RUNNING, rungs, now, step -> true);
        }
        return s.step("s");
    }
}
