package io.castpipe.transcoder.live;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.packager.cmaf.TrackInfo;
import io.castpipe.packager.live.LivePlaylist;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RenditionHandoverTest {
    private static final Fmp4Init INIT = new Fmp4Init(new byte[8], List.of(new TrackInfo(1, "vide", 1000, 33, 0)));
    private static final LivePlaylist PLAYLIST = new LivePlaylist(6, Duration.ofSeconds(1));

    /** A 1 s keyframe interval in three parts, dated on the stream's clock (epoch ms = decode time here). */
    private static void offerSecond(RenditionHandover h, long startMs) {
        for (int part = 0; part < 3; part++) {
            long at = startMs + part * 333L;
            assertThat(h.offer(new Fragment(at, new byte[100], 1, 1000, at, 333, part == 0, List.of()), at)).isNull();
        }
    }

    /** The running ffmpeg's side on a thread of its own: a segment closed at {@code endMs}, which may wait. */
    private static CompletableFuture<Boolean> closedAsync(RenditionHandover h, long endMs) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return h.segmentClosed(endMs, PLAYLIST);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aStandbyAheadTakesOverAtTheRunningOnesNextBoundaryWithWhatWaitedFromThere() throws Exception {
        RenditionHandover h = new RenditionHandover(false, 0);
        h.init(INIT);
        for (long s = 10_000; s <= 13_000; s += 1000) {
            offerSecond(h, s);
        }
        assertThat(h.segmentClosed(12_020, PLAYLIST)).as("a frame's rounding apart still the same moment").isTrue();
        RenditionHandover.Taken taken = h.offer(new Fragment(14_000, new byte[100], 1, 1000, 14_000, 333, true, List.of()), 14_000);
        assertThat(taken.startEpochMs()).isEqualTo(12_020);
        assertThat(taken.fragments()).extracting(Fragment::decodeTime)
                .containsExactly(12_000L, 12_333L, 12_666L, 13_000L, 13_333L, 13_666L, 14_000L);
        assertThat(h.segmentClosed(13_000, PLAYLIST)).as("taken stays taken").isTrue();
    }

    @Test
    void noKeyframeAtTheBoundaryNoHandover() throws Exception {
        RenditionHandover h = new RenditionHandover(false, 0);
        h.init(INIT);
        offerSecond(h, 10_500);
        offerSecond(h, 11_500);
        assertThat(h.segmentClosed(11_000, PLAYLIST)).as("the standby's keyframes are half a second off").isFalse();
        assertThat(h.taken()).isFalse();
    }

    @Test
    void whenShedTheRunningOneWaitsAtTheBoundaryForAStandbyBehindIt() throws Exception {
        RenditionHandover h = new RenditionHandover(true, 0);
        h.init(INIT);
        offerSecond(h, 8_000);
        CompletableFuture<Boolean> closed = closedAsync(h, 10_000);
        Thread.sleep(200);
        assertThat(closed).as("held at the boundary").isNotDone();
        offerSecond(h, 9_000);
        assertThat(closed).as("still short of it").isNotDone();
        h.offer(new Fragment(10_000, new byte[100], 1, 1000, 10_000, 333, true, List.of()), 10_000);
        assertThat(closed.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void whenShedAStandbyFarBehindIsNotWaitedFor() throws Exception {
        RenditionHandover h = new RenditionHandover(true, 0);
        h.init(INIT);
        offerSecond(h, 5_000);
        long t0 = System.nanoTime();
        assertThat(h.segmentClosed(10_000, PLAYLIST)).as("4.3 s short: the viewers are not held for it").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void whenClimbingAStandbyOnlyItsEncodersDelayBehindIsWaitedForBriefly() throws Exception {
        RenditionHandover h = new RenditionHandover(false, 0);
        h.init(INIT);
        offerSecond(h, 9_000);
        CompletableFuture<Boolean> closed = closedAsync(h, 10_000);
        Thread.sleep(100);
        assertThat(closed).as("the standby is a fragment short: held").isNotDone();
        h.offer(new Fragment(10_000, new byte[100], 1, 1000, 10_000, 333, true, List.of()), 10_000);
        assertThat(closed.get(5, TimeUnit.SECONDS)).isTrue();

        RenditionHandover late = new RenditionHandover(false, 0);
        late.init(INIT);
        offerSecond(late, 9_000);
        long t0 = System.nanoTime();
        assertThat(late.segmentClosed(10_000, PLAYLIST)).as("it never came").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(RenditionHandover.CLIMB_HOLD.plusSeconds(1));
    }

    @Test
    void whenClimbingOrGivenUpTheRunningOneGoesOn() throws Exception {
        RenditionHandover climbing = new RenditionHandover(false, 0);
        climbing.init(INIT);
        offerSecond(climbing, 8_000);
        assertThat(climbing.segmentClosed(10_000, PLAYLIST)).as("a climb does not hold the live edge back").isFalse();

        RenditionHandover shed = new RenditionHandover(true, 0);
        shed.init(INIT);
        CompletableFuture<Boolean> closed = closedAsync(shed, 10_000);
        Thread.sleep(200);
        shed.cancel();
        assertThat(closed.get(5, TimeUnit.SECONDS)).as("released by the cancel").isFalse();
        assertThat(shed.offer(new Fragment(1, new byte[1], 1, 1000, 10_000, 333, true, List.of()), 10_000)).isNull();
    }

    @Test
    void aStarvedRunningOneStoppedForAStandbyAheadHandsOverWhereItsOutputStopped() throws Exception {
        // The running one closed its last segment at 10 s before the standby began, and nothing since.
        RenditionHandover h = new RenditionHandover(true, 10_000);
        h.init(INIT);
        offerSecond(h, 9_000);
        assertThat(h.standbyAhead(2000)).as("not ahead of the running one yet").isFalse();
        for (long s = 10_000; s <= 12_000; s += 1000) {
            offerSecond(h, s);
        }
        assertThat(h.standbyAhead(2000)).as("2.7 s of output from the running one's end on").isTrue();

        h.force();
        assertThat(h.segmentClosed(10_000, PLAYLIST)).as("nothing was open: taken at the end, no gap").isTrue();
        RenditionHandover.Taken taken = h.offer(new Fragment(13_000, new byte[100], 1, 1000, 13_000, 333, true, List.of()), 13_000);
        assertThat(taken.startEpochMs()).isEqualTo(10_000);
        assertThat(taken.fragments().get(0).decodeTime()).isEqualTo(10_000);

        RenditionHandover cutShort = new RenditionHandover(true, 10_000);
        cutShort.init(INIT);
        for (long s = 10_000; s <= 12_000; s += 1000) {
            offerSecond(cutShort, s);
        }
        cutShort.force();
        assertThat(cutShort.segmentClosed(10_666, PLAYLIST)).as("its open segment closed short at 10.666 s").isTrue();
        assertThat(cutShort.offer(new Fragment(13_000, new byte[100], 1, 1000, 13_000, 333, true, List.of()), 13_000)
                .startEpochMs()).as("the standby's first keyframe after it: a gap shorter than a keyframe interval")
                .isEqualTo(11_000);
    }
}
