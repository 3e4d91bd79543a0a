package io.castpipe.chat.limit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With a hand-set clock. */
class FloodGuardTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aFloodIsWarnedOnceThenClosed() {
        long now = 1_000 * SECOND;
        FloodGuard guard = new FloodGuard(now);
        for (int i = 0; i < FloodGuard.FRAMES_PER_SECOND; i++) {
            assertThat(guard.onFrame(now)).isEqualTo(FloodGuard.Verdict.PASS);
        }
        assertThat(guard.onFrame(now)).isEqualTo(FloodGuard.Verdict.WARN);
        for (int i = 2; i < FloodGuard.REFUSALS_BEFORE_CLOSE; i++) {
            assertThat(guard.onFrame(now)).isEqualTo(FloodGuard.Verdict.IGNORE);
        }
        assertThat(guard.onFrame(now)).isEqualTo(FloodGuard.Verdict.CLOSE);
        assertThat(guard.onFrame(now + SECOND)).as("a frame within the limit again").isEqualTo(FloodGuard.Verdict.PASS);
    }

    /** A client sending just over the limit earns a token now and then: still one flood. */
    @Test
    void aFloodThatEarnsATokenNowAndThenIsStillWarnedOnceAndClosed() {
        long now = 1_000 * SECOND;
        long tokenEvery = SECOND / FloodGuard.FRAMES_PER_SECOND;
        FloodGuard guard = new FloodGuard(now);
        for (int i = 0; i < FloodGuard.FRAMES_PER_SECOND; i++) {
            guard.onFrame(now);
        }
        int warnings = 0;
        FloodGuard.Verdict verdict = FloodGuard.Verdict.PASS;
        for (int i = 0; i < 200 && verdict != FloodGuard.Verdict.CLOSE; i++) {
            now += tokenEvery / 2;
            verdict = guard.onFrame(now);
            warnings += verdict == FloodGuard.Verdict.WARN ? 1 : 0;
        }
        assertThat(verdict).isEqualTo(FloodGuard.Verdict.CLOSE);
        assertThat(warnings).isEqualTo(1);
    }

    @Test
    void aClientQuietForASecondAfterAFloodIsWarnedAfreshNextTime() {
        long now = 1_000 * SECOND;
        FloodGuard guard = new FloodGuard(now);
        for (int i = 0; i <= FloodGuard.FRAMES_PER_SECOND; i++) {
            guard.onFrame(now);
        }
        now += FloodGuard.QUIET;
        for (int i = 0; i < FloodGuard.FRAMES_PER_SECOND; i++) {
            assertThat(guard.onFrame(now)).isEqualTo(FloodGuard.Verdict.PASS);
        }
        assertThat(guard.onFrame(now)).isEqualTo(FloodGuard.Verdict.WARN);
    }
}
