package io.castpipe.transcoder.live;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static io.castpipe.transcoder.live.LoadShedder.Step.CLIMB;
import static io.castpipe.transcoder.live.LoadShedder.Step.NONE;
import static io.castpipe.transcoder.live.LoadShedder.Step.SHED;
import static org.assertj.core.api.Assertions.assertThat;

class LoadShedderTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration RUNNING = Duration.ofMinutes(1);

    private final LoadShedder shedder = new LoadShedder("superfast");
    private long now = 1000 * SECOND;
    private long taken;

    /** One look a second later: ffmpeg took {@code speed} seconds of media in it, {@code backlogMs} wait. */
    private LoadShedder.Step second(double speed, long backlogMs) {
        now += SECOND;
        taken += Math.round(speed * 1000);
        return shedder.look("s", Duration.ofMillis(backlogMs), taken, RUNNING, now);
    }

    @Test
    void anFfmpegSlowerThanRealTimeIsShedOnTheFastestPresetAtItsSecondSlowLook() {
        assertThat(second(1.0, 0)).isEqualTo(NONE);
        assertThat(second(0.6, 1000)).isEqualTo(NONE);
        assertThat(second(0.6, 1600)).as("behind, slow once").isEqualTo(NONE);
        assertThat(second(0.6, 2000)).isEqualTo(SHED);
        assertThat(shedder.preset("s")).isEqualTo("ultrafast");
    }

    @Test
    void aBurstWorkedThroughFasterThanRealTimeIsLeftAlone() {
        assertThat(second(1.0, 0)).isEqualTo(NONE);
        for (long backlog = 6000; backlog > 0; backlog -= 1000) {
            assertThat(second(2.0, backlog)).as("a replay of %d ms draining", backlog).isEqualTo(NONE);
        }
        assertThat(shedder.preset("s")).isEqualTo("superfast");
    }

    @Test
    void aNewFfmpegIsNotJudgedWhileItWarmsUp() {
        for (int i = 0; i < 4; i++) {
            now += SECOND;
            assertThat(shedder.look("s", Duration.ofSeconds(3 + i), i * 100L, Duration.ofSeconds(i), now)).isEqualTo(NONE);
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
        assertThat(shedder.preset("s")).isEqualTo("superfast");

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
    void aClimbWhoseLadderDidNotTakeOverStaysShedAndWaitsTwiceAsLong() {
        second(1.0, 0);
        second(0.5, 2000);
        assertThat(second(0.5, 2500)).isEqualTo(SHED);
        for (int i = 0; i < 60; i++) {
            second(1.0, 100);
        }
        assertThat(shedder.preset("s")).as("climbing").isEqualTo("superfast");
        shedder.climbFailed("s", now);
        assertThat(shedder.preset("s")).isEqualTo("ultrafast");
        for (int i = 0; i < 119; i++) {
            assertThat(second(1.0, 100)).as("second %d", i).isEqualTo(NONE);
        }
        assertThat(second(1.0, 100)).isEqualTo(CLIMB);
    }

    @Test
    void aStreamAlreadyOnTheFastestPresetHasNothingToShed() {
        LoadShedder fastest = new LoadShedder("ultrafast");
        long t = 0;
        for (int i = 0; i < 5; i++) {
            now += SECOND;
            t += 500;
            assertThat(fastest.look("s", Duration.ofSeconds(2 + i), t, RUNNING, now)).isEqualTo(NONE);
        }
    }
}
