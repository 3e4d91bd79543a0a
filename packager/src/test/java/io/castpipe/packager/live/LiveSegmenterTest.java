package io.castpipe.packager.live;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.castpipe.common.media.LatencyMode;
import io.castpipe.packager.cmaf.Fmp4Fixtures;
import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.packager.cmaf.FragmentParser;
import io.castpipe.packager.cmaf.TrackInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LiveSegmenterTest {
    static final long ANCHOR = Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli();

    static final class Events implements LiveSegmenter.Listener {
        final List<String> order = new ArrayList<>();
        final List<Integer> initVersions = new ArrayList<>();
        final List<LivePart> parts = new ArrayList<>();
        final List<LiveSegment> segments = new ArrayList<>();

        @Override
        public void onInit(Fmp4Init init, int version) {
            order.add("init" + version);
            initVersions.add(version);
        }

        @Override
        public void onPart(LivePart part) {
            order.add("part" + part.segmentSequence() + "." + part.index());
            parts.add(part);
        }

        @Override
        public void onSegment(LiveSegment segment) {
            order.add("seg" + segment.sequence());
            segments.add(segment);
        }

        @Override
        public void onEnd() {
            order.add("end");
        }
    }

    @Test
    void cutsTwoSecondSegmentsAtKeyframesWithEachFragmentAPart() throws Exception {
        Events events = new Events();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), ANCHOR, events);
        Fmp4Fixtures.feedInChunks(new FragmentParser(segmenter), Fmp4Fixtures.muxed(), 11, 5000);
        segmenter.end();

        assertThat(events.initVersions).containsExactly(0);
        assertThat(events.order.get(0)).isEqualTo("init0");
        assertThat(events.order.get(events.order.size() - 1)).isEqualTo("end");
        List<LiveSegment> segs = events.segments;
        assertThat(segs).hasSize(5);
        double total = 0;
        for (int i = 0; i < segs.size(); i++) {
            LiveSegment s = segs.get(i);
            assertThat(s.sequence()).isEqualTo(i);
            // the first absorbs the 23 ms AAC priming stretch of the first video sample
            assertThat(s.durationSeconds()).isCloseTo(2.0, within(0.024));
            assertThat(s.parts()).hasSize(4);
            assertThat(s.parts()).extracting(LivePart::independent).containsExactly(true, false, true, false);
            assertThat(s.parts()).extracting(LivePart::index).containsExactly(0, 1, 2, 3);
            assertThat(s.parts().stream().mapToDouble(LivePart::durationSeconds).sum()).isCloseTo(s.durationSeconds(), within(1e-9));
            assertThat(s.bytes()).hasSize((int) s.size());
            assertThat(s.discontinuity()).isFalse();
            assertThat(s.initVersion()).isZero();
            // program date time: anchor + media time since the first fragment
            assertThat(Duration.between(Instant.ofEpochMilli(ANCHOR), s.programDateTime()).toNanos() / 1e9)
                    .isCloseTo(total, within(0.001));
            total += s.durationSeconds();
            if (i > 0) {
                LiveSegment prev = segs.get(i - 1);
                assertThat(s.decodeTime()).isEqualTo(prev.decodeTime() + prev.duration());
            }
        }
        assertThat(total).isCloseTo(10.0, within(0.05));
        // parts are announced before the segment that holds them
        assertThat(events.order.indexOf("part0.3")).isLessThan(events.order.indexOf("seg0"));
        assertThat(events.order.indexOf("seg0")).isLessThan(events.order.indexOf("part1.0"));
        assertThat(events.parts).hasSize(20);
    }

    @Test
    void aLongerTargetMakesLongerSegmentsAndTheLastIsWhatIsLeft() throws Exception {
        Events events = new Events();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(6), ANCHOR, events);
        Fmp4Fixtures.feedInChunks(new FragmentParser(segmenter), Fmp4Fixtures.videoOnly(), 5, 65536);
        segmenter.end();
        assertThat(events.segments).extracting(LiveSegment::durationSeconds)
                .satisfiesExactly(d -> assertThat(d).isCloseTo(6.0, within(0.001)), d -> assertThat(d).isCloseTo(4.0, within(0.001)));
        assertThat(events.segments.get(0).parts()).hasSize(12);
    }

    @Test
    void aRestartedSourceIsADiscontinuityWithItsOwnClock() throws Exception {
        byte[] mp4 = Fmp4Fixtures.muxed();
        Events events = new Events();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), ANCHOR, events);
        // the first worker gets 10 fragments (about 5 s) out before it dies
        FragmentParser first = new FragmentParser(new FragmentParser.Listener() {
            int n;

            @Override
            public void onInit(Fmp4Init init) {
                segmenter.init(init);
            }

            @Override
            public void onFragment(Fragment fragment) {
                if (n++ < 10) {
                    segmenter.fragment(fragment);
                }
            }
        });
        first.feed(mp4);
        // the next worker starts its encoder afresh, timestamps from 0, a minute later
        segmenter.discontinuity(OptionalLong.of(ANCHOR + 60_000));
        Fmp4Fixtures.feedInChunks(new FragmentParser(segmenter), mp4, 3, 9000);
        segmenter.end();

        List<LiveSegment> segs = events.segments;
        assertThat(segs).extracting(LiveSegment::sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(segs.get(2).durationSeconds()).isCloseTo(1.0, within(0.001)); // cut short by the takeover
        assertThat(segs).extracting(LiveSegment::discontinuity).containsExactly(false, false, false, true, false, false, false, false);
        assertThat(segs).extracting(LiveSegment::discontinuitySequence).containsExactly(0L, 0L, 0L, 1L, 1L, 1L, 1L, 1L);
        assertThat(segs.get(3).programDateTime()).isEqualTo(Instant.ofEpochMilli(ANCHOR + 60_000));
        assertThat(segs.get(4).programDateTime()).isEqualTo(segs.get(3).programDateTime()
                .plusNanos(Math.round(segs.get(3).durationSeconds() * 1e9)));
        // the new encoder wrote the same init: no new version
        assertThat(events.initVersions).containsExactly(0);
    }

    @Test
    void aDiscontinuityWithoutAClockContinuesTheDatesAndANewInitGetsANewVersion() {
        Events events = new Events();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), ANCHOR, events);
        segmenter.init(init(1));
        for (int i = 0; i < 4; i++) {
            segmenter.fragment(fragment(1_000 + i * 1000L, 1000, i % 2 == 0));
        }
        segmenter.discontinuity(OptionalLong.empty());
        segmenter.init(init(2));
        segmenter.fragment(fragment(0, 1000, true));
        segmenter.end();
        assertThat(events.initVersions).containsExactly(0, 1);
        assertThat(events.segments).hasSize(3);
        assertThat(events.segments.get(2).initVersion()).isEqualTo(1);
        assertThat(events.segments.get(2).discontinuity()).isTrue();
        assertThat(events.segments.get(2).programDateTime()).isEqualTo(Instant.ofEpochMilli(ANCHOR + 4_000));
        assertThatThrownBy(() -> segmenter.fragment(fragment(1000, 1000, true))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fragmentsBeforeTheFirstKeyframeAreDropped() {
        Events events = new Events();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), ANCHOR, events);
        segmenter.init(init(1));
        segmenter.fragment(fragment(0, 500, false));
        segmenter.fragment(fragment(500, 500, false));
        segmenter.fragment(fragment(1000, 500, true));
        segmenter.end();
        assertThat(segmenter.droppedFragments()).isEqualTo(2);
        assertThat(events.segments).hasSize(1);
        assertThat(events.segments.get(0).programDateTime()).isEqualTo(Instant.ofEpochMilli(ANCHOR));
        assertThat(events.segments.get(0).parts().get(0).independent()).isTrue();
    }

    @Test
    void aJumpInMediaTimeIsADiscontinuityEvenUnannounced() {
        Events events = new Events();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), ANCHOR, events);
        segmenter.init(init(1));
        for (int i = 0; i < 3; i++) {
            segmenter.fragment(fragment(i * 1000L, 1000, true));
        }
        // the encoder skipped 7 s: the dates follow media time
        segmenter.fragment(fragment(10_000, 1000, true));
        segmenter.fragment(fragment(11_000, 1000, true));
        // timestamps went back to 0: the dates continue where the last segment ended (12 s)
        segmenter.fragment(fragment(0, 1000, true));
        segmenter.fragment(fragment(1000, 1000, true));
        segmenter.end();
        assertThat(events.segments).extracting(LiveSegment::discontinuity).containsExactly(false, false, true, true);
        assertThat(events.segments).extracting(LiveSegment::discontinuitySequence).containsExactly(0L, 0L, 1L, 2L);
        assertThat(events.segments).extracting(s -> s.programDateTime().toEpochMilli() - ANCHOR)
                .containsExactly(0L, 2_000L, 10_000L, 12_000L);
        // small rounding steps are not jumps
        Events calm = new Events();
        LiveSegmenter s2 = new LiveSegmenter(Duration.ofSeconds(2), ANCHOR, calm);
        s2.init(init(1));
        s2.fragment(fragment(0, 1000, true));
        s2.fragment(fragment(990, 1000, true));
        s2.fragment(fragment(2000, 1000, true));
        s2.end();
        assertThat(calm.segments).noneMatch(LiveSegment::discontinuity);
    }

    @Test
    void optionsComeFromTheConfigurationPerLatencyMode() {
        var config = io.castpipe.common.config.CastpipeConfig.from(java.util.Map.of(
                "CASTPIPE_LIVE_SEGMENT_SECONDS", "2", "CASTPIPE_LIVE_WINDOW_SEGMENTS", "8", "CASTPIPE_LIVE_HIGH_SEGMENT_SECONDS", "8"));
        assertThat(LiveOptions.from(config, LatencyMode.LOW)).isEqualTo(new LiveOptions(Duration.ofSeconds(2), 8, 333));
        assertThat(LiveOptions.from(config, LatencyMode.NORMAL)).isEqualTo(new LiveOptions(Duration.ofSeconds(2), 8, 0));
        assertThat(LiveOptions.from(config, LatencyMode.HIGH)).isEqualTo(new LiveOptions(Duration.ofSeconds(8), 8, 0));
        assertThat(LiveOptions.from(config, LatencyMode.HIGH).newPlaylist().live().targetDuration()).isEqualTo(8);
        var defaults = io.castpipe.common.config.CastpipeConfig.from(java.util.Map.of());
        assertThat(LiveOptions.from(defaults, LatencyMode.LOW)).isEqualTo(new LiveOptions(Duration.ofSeconds(1), 12, 333));
        assertThat(LiveOptions.from(defaults, LatencyMode.LOW).parts(30).orElseThrow().targetSeconds()).isEqualTo(0.334);
        assertThat(LiveOptions.from(defaults, LatencyMode.NORMAL).parts(30)).isEmpty();
        assertThat(LiveOptions.from(defaults, LatencyMode.HIGH).segmentTarget()).isEqualTo(Duration.ofSeconds(6));
        assertThatThrownBy(() -> LiveOptions.from(io.castpipe.common.config.CastpipeConfig.from(java.util.Map.of(
                "CASTPIPE_LIVE_WINDOW_SEGMENTS", "2")), LatencyMode.NORMAL)).hasMessageContaining("CASTPIPE_LIVE_WINDOW_SEGMENTS");
        assertThatThrownBy(() -> LiveOptions.from(io.castpipe.common.config.CastpipeConfig.from(java.util.Map.of(
                "CASTPIPE_LIVE_PART_MS", "600")), LatencyMode.LOW)).hasMessageContaining("CASTPIPE_LIVE_PART_MS");
    }

    static Fmp4Init init(int marker) {
        return new Fmp4Init(new byte[] {(byte) marker}, List.of(new TrackInfo(1, "vide", 1000, 0, 0)));
    }

    static Fragment fragment(long t, long d, boolean independent) {
        return new Fragment(t, new byte[] {1, 2, 3}, 1, 1000, t, d, independent, List.of());
    }
}
