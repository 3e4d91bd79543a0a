package io.castpipe.packager.live;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LivePlaylistWriterTest {
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    /** Segment {@code n} of durations {@code d}, dated after the ones before it. */
    static List<LiveSegment> segments(double... d) {
        List<LiveSegment> out = new ArrayList<>();
        Instant at = T0;
        long t = 0;
        for (int i = 0; i < d.length; i++) {
            long ticks = Math.round(d[i] * 90_000);
            out.add(new LiveSegment(i, t, ticks, 90_000, at, false, 0, 0, List.of()));
            at = at.plusNanos(Math.round(d[i] * 1e9));
            t += ticks;
        }
        return out;
    }

    static List<String> tagValues(String playlist, String tag) {
        List<String> out = new ArrayList<>();
        for (String line : playlist.split("\n")) {
            if (line.startsWith(tag + ":")) {
                out.add(line.substring(tag.length() + 1));
            }
        }
        return out;
    }

    @Test
    void aSlidingWindowOfSixWithAdvancingMediaSequence() {
        LivePlaylist playlist = new LivePlaylist(6, Duration.ofSeconds(2));
        List<LiveSegment> segs = segments(2.0, 2.0, 2.0, 2.0, 1.967, 2.033, 2.0, 2.0, 2.0, 2.0);
        for (int n = 1; n <= segs.size(); n++) {
            playlist.add(segs.get(n - 1));
            String text = LivePlaylistWriter.write(playlist.live());
            assertThat(text).startsWith("#EXTM3U\n#EXT-X-VERSION:6\n");
            assertThat(tagValues(text, "#EXTINF")).hasSize(Math.min(n, 6));
            assertThat(tagValues(text, "#EXT-X-MEDIA-SEQUENCE")).containsExactly(String.valueOf(Math.max(0, n - 6)));
            assertThat(tagValues(text, "#EXT-X-TARGETDURATION")).containsExactly("2");
            assertThat(tagValues(text, "#EXT-X-SERVER-CONTROL")).containsExactly("CAN-BLOCK-RELOAD=YES");
            assertThat(tagValues(text, "#EXT-X-MAP")).containsExactly("URI=\"init.mp4\"");
            assertThat(text).doesNotContain("#EXT-X-ENDLIST", "#EXT-X-PLAYLIST-TYPE", "#EXT-X-DISCONTINUITY");
            assertThat(text).contains("seg-" + (n - 1) + ".m4s\n");
            if (n > 6) {
                assertThat(text).doesNotContain("seg-" + (n - 7) + ".m4s");
            }
            assertDatesFollowDurations(text);
        }
        String text = LivePlaylistWriter.write(playlist.live());
        assertThat(tagValues(text, "#EXTINF")).containsExactly("1.967,", "2.033,", "2.000,", "2.000,", "2.000,", "2.000,");
        assertThat(text).contains("#EXT-X-MEDIA-SEQUENCE:4\n")
                .contains("#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:13.678Z\n#EXTINF:1.967,\nseg-4.m4s\n")
                .contains("#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:15.645Z\n#EXTINF:2.033,\nseg-5.m4s\n");
    }

    /** Each EXT-X-PROGRAM-DATE-TIME is the previous one plus the previous EXTINF. */
    static void assertDatesFollowDurations(String text) {
        Pattern p = Pattern.compile("#EXT-X-PROGRAM-DATE-TIME:(\\S+)\n#EXTINF:([0-9.]+),\n");
        Matcher m = p.matcher(text);
        Instant prevAt = null;
        double prevDuration = 0;
        int n = 0;
        while (m.find()) {
            Instant at = Instant.parse(m.group(1));
            assertThat(m.group(1)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            if (prevAt != null) {
                assertThat(Math.abs(Duration.between(prevAt, at).toMillis() - Math.round(prevDuration * 1000))).isLessThanOrEqualTo(1);
            }
            prevAt = at;
            prevDuration = Double.parseDouble(m.group(2));
            n++;
        }
        assertThat(n).isEqualTo(tagValues(text, "#EXTINF").size());
    }

    @Test
    void discontinuityIsTaggedAndCountedOnceItLeavesTheWindow() {
        LivePlaylist playlist = new LivePlaylist(3, Duration.ofSeconds(2));
        List<LiveSegment> before = segments(2, 2, 1);
        before.forEach(playlist::add);
        Instant restart = T0.plusSeconds(60);
        for (int i = 3; i < 7; i++) {
            playlist.add(new LiveSegment(i, (i - 3) * 2000L, 2000, 1000, restart.plusSeconds((i - 3) * 2L), i == 3, 1,
                    i == 3 ? 0 : 1, List.of()));
        }
        // window seg-1..seg-3 would show it; check each stage by rebuilding
        LivePlaylist stage = new LivePlaylist(3, Duration.ofSeconds(2));
        before.forEach(stage::add);
        stage.add(new LiveSegment(3, 0, 2000, 1000, restart, true, 1, 1, List.of()));
        String withTag = LivePlaylistWriter.write(stage.live());
        assertThat(withTag).contains("seg-2.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:05:05.678Z\n#EXTINF:2.000,\nseg-3.m4s\n");
        assertThat(withTag).doesNotContain("#EXT-X-DISCONTINUITY-SEQUENCE");

        String slid = LivePlaylistWriter.write(playlist.live()); // seg-4..seg-6
        assertThat(tagValues(slid, "#EXT-X-MEDIA-SEQUENCE")).containsExactly("4");
        assertThat(tagValues(slid, "#EXT-X-DISCONTINUITY-SEQUENCE")).containsExactly("1");
        assertThat(slid).doesNotContain("#EXT-X-DISCONTINUITY\n");
        assertThat(tagValues(slid, "#EXT-X-MAP")).containsExactly("URI=\"init-1.mp4\"");

        LivePlaylist firstIsRestart = new LivePlaylist(3, Duration.ofSeconds(2));
        before.forEach(firstIsRestart::add);
        for (int i = 3; i < 6; i++) {
            firstIsRestart.add(new LiveSegment(i, 0, 2000, 1000, restart.plusSeconds((i - 3) * 2L), i == 3, 1, 0, List.of()));
        }
        String first = LivePlaylistWriter.write(firstIsRestart.live()); // seg-3..seg-5, seg-3 after the restart
        assertThat(tagValues(first, "#EXT-X-DISCONTINUITY-SEQUENCE")).containsExactly("1");
        assertThat(first).doesNotContain("#EXT-X-DISCONTINUITY\n");
    }

    @Test
    void endedLiveHasEndlistAndTheVodFormListsEverySegment() {
        LivePlaylist playlist = new LivePlaylist(6, Duration.ofSeconds(2));
        segments(2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.4).forEach(playlist::add);
        playlist.end();
        String live = LivePlaylistWriter.write(playlist.live());
        assertThat(live).endsWith("seg-7.m4s\n#EXT-X-ENDLIST\n");
        assertThat(tagValues(live, "#EXTINF")).hasSize(6);
        assertThat(live).doesNotContain("#EXT-X-PLAYLIST-TYPE");

        String vod = LivePlaylistWriter.write(playlist.vod());
        assertThat(tagValues(vod, "#EXT-X-PLAYLIST-TYPE")).containsExactly("VOD");
        assertThat(vod).doesNotContain("#EXT-X-SERVER-CONTROL");
        assertThat(tagValues(vod, "#EXT-X-MEDIA-SEQUENCE")).containsExactly("0");
        assertThat(tagValues(vod, "#EXT-X-TARGETDURATION")).containsExactly("2");
        assertThat(tagValues(vod, "#EXTINF")).hasSize(8).last().isEqualTo("1.400,");
        assertThat(vod).contains("seg-0.m4s\n").endsWith("seg-7.m4s\n#EXT-X-ENDLIST\n");
        assertDatesFollowDurations(vod);
        assertThatThrownBy(() -> playlist.add(segments(2.0).get(0))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theTargetDurationNeverFallsAndCoversALongSegment() {
        LivePlaylist playlist = new LivePlaylist(3, Duration.ofSeconds(2));
        segments(2.0, 3.6, 2.0, 2.0, 2.0, 2.0).forEach(playlist::add);
        assertThat(tagValues(LivePlaylistWriter.write(playlist.live()), "#EXT-X-TARGETDURATION")).containsExactly("4");
        assertThat(tagValues(LivePlaylistWriter.write(playlist.vod()), "#EXT-X-TARGETDURATION")).containsExactly("4");
        assertThat(new LivePlaylist(6, Duration.ofMillis(1500)).live().targetDuration()).isEqualTo(2);
        assertThatThrownBy(() -> new LivePlaylist(2, Duration.ofSeconds(2))).isInstanceOf(IllegalArgumentException.class);
    }

    /** Segments 0-2, then a restart: 3-8 after a discontinuity, with init version 1. */
    static List<LiveSegment> restartedAtThree() {
        List<LiveSegment> out = new ArrayList<>(segments(2, 2, 2));
        Instant restart = T0.plusSeconds(60);
        for (int i = 3; i < 9; i++) {
            out.add(new LiveSegment(i, (i - 3) * 2000L, 2000, 1000, restart.plusSeconds((i - 3) * 2L), i == 3, 1, 1, List.of()));
        }
        return out;
    }

    /** Adds the segments as the publisher does: a history piece first whenever one is due. */
    static List<String> addKeepingHistory(LivePlaylist playlist, List<LiveSegment> segments) {
        List<String> pieces = new ArrayList<>();
        for (LiveSegment s : segments) {
            playlist.historyDue().ifPresent(piece -> {
                pieces.add(LivePlaylistWriter.write(piece));
                playlist.historyStored(piece);
            });
            playlist.add(s);
            // What storage holds at this moment, the pieces and the window, lists every segment so far.
            StringBuilder stored = new StringBuilder(LivePlaylistWriter.write(playlist.live()));
            pieces.forEach(stored::append);
            for (int n = 0; n <= s.sequence(); n++) {
                assertThat(stored).contains("seg-" + n + ".m4s\n");
            }
        }
        return pieces;
    }

    @Test
    void historyPiecesListEachSegmentBeforeItLeavesTheWindow() {
        LivePlaylist playlist = new LivePlaylist(3, Duration.ofSeconds(2));
        List<String> pieces = addKeepingHistory(playlist, restartedAtThree());
        assertThat(pieces).hasSize(2);
        assertThat(tagValues(pieces.get(0), "#EXT-X-MEDIA-SEQUENCE")).containsExactly("0");
        assertThat(pieces.get(0)).contains("seg-2.m4s\n").doesNotContain("seg-3.m4s", "#EXT-X-ENDLIST");
        // The piece that starts at the restart counts it in its discontinuity sequence.
        assertThat(tagValues(pieces.get(1), "#EXT-X-MEDIA-SEQUENCE")).containsExactly("3");
        assertThat(tagValues(pieces.get(1), "#EXT-X-DISCONTINUITY-SEQUENCE")).containsExactly("1");
        assertThat(tagValues(pieces.get(1), "#EXT-X-MAP")).containsExactly("URI=\"init-1.mp4\"");
    }

    @Test
    void aResumedWindowGetsItsEarlierSegmentsBackFromTheHistoryPieces() {
        LivePlaylist original = new LivePlaylist(3, Duration.ofSeconds(2));
        List<String> pieces = new ArrayList<>(addKeepingHistory(original, restartedAtThree()));
        LivePlaylist resumed = LivePlaylist.resume(LivePlaylistWriter.write(original.live()), 3, Duration.ofSeconds(2));
        assertThat(resumed.startsMidway()).isTrue();
        assertThat(LivePlaylistWriter.write(resumed.vod())).doesNotContain("seg-5.m4s");

        // in any order, overlapping each other and the window
        pieces.add(LivePlaylistWriter.write(original.live()));
        java.util.Collections.reverse(pieces);
        resumed.restoreEarlier(pieces);
        original.end();
        resumed.end();
        assertThat(resumed.startsMidway()).isFalse();
        assertThat(LivePlaylistWriter.write(resumed.vod())).isEqualTo(LivePlaylistWriter.write(original.vod()))
                .contains("seg-2.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"\n");
        assertThat(LivePlaylistWriter.write(resumed.live())).isEqualTo(LivePlaylistWriter.write(original.live()));
    }

    @Test
    void aMissingHistoryPieceLeavesADiscontinuityWhereItsSegmentsWere() {
        LivePlaylist original = new LivePlaylist(3, Duration.ofSeconds(2));
        List<LiveSegment> plain = segments(2, 2, 2, 2, 2, 2, 2, 2, 2);
        List<String> pieces = addKeepingHistory(original, plain);
        LivePlaylist resumed = LivePlaylist.resume(LivePlaylistWriter.write(original.live()), 3, Duration.ofSeconds(2));
        resumed.restoreEarlier(List.of(pieces.get(0)));
        String vod = LivePlaylistWriter.write(resumed.vod());
        assertThat(vod).contains("seg-2.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:17.678Z\n#EXTINF:2.000,\nseg-6.m4s\n")
                .doesNotContain("seg-3.m4s");
        assertThat(resumed.restoreEarlier(List.of("not a playlist", "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n",
                "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\n"))).as("unreadable pieces skipped").isEqualTo(3);
        assertThat(LivePlaylistWriter.write(resumed.vod())).isEqualTo(vod);
    }

    @Test
    void withoutAPartTargetNoPartLinesAreWritten() {
        LivePlaylist playlist = new LivePlaylist(6, Duration.ofSeconds(2));
        var f0 = LiveSegmenterTest.fragment(0, 1000, true);
        var f1 = LiveSegmenterTest.fragment(1000, 1000, false);
        playlist.add(new LiveSegment(0, 0, 2000, 1000, T0, false, 0, 0,
                List.of(new LivePart(0, 0, f0, T0, false, 0), new LivePart(0, 1, f1, T0, false, 0))));
        PlaylistSnapshot.Segment s = playlist.live().segments().get(0);
        assertThat(s.parts()).containsExactly(new PlaylistSnapshot.Part(0, "part-0.0.m4s", 1.0, true),
                new PlaylistSnapshot.Part(1, "part-0.1.m4s", 1.0, false));
        assertThat(LivePlaylistWriter.write(playlist.live())).doesNotContain("EXT-X-PART", "PRELOAD-HINT", "HOLD-BACK");
    }

    /**
     * RFC 8216bis rules, checked on every playlist a live rendition goes through while 1 s
     * segments are cut into 10-frame parts at 30 fps (the default plan), with one segment that
     * runs long because a keyframe came late.
     */
    @Test
    void lowLatencyPlaylistsFollowThePartRules() {
        PartPlan plan = PartPlan.of(333, 30);
        assertThat(plan.frames()).isEqualTo(10);
        assertThat(plan.targetSeconds()).isEqualTo(0.334);
        LivePlaylist playlist = new LivePlaylist(12, Duration.ofSeconds(1)).withParts(plan.targetSeconds());
        List<PlaylistSnapshot.RenditionReport> siblings = List.of(new PlaylistSnapshot.RenditionReport("1080p", 9, 2),
                new PlaylistSnapshot.RenditionReport("360p", 10, -1));
        List<PlaylistSnapshot> snapshots = new ArrayList<>();
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(1), T0.toEpochMilli(), new LiveSegmenter.Listener() {
            @Override
            public void onPart(LivePart part) {
                playlist.addPart(part);
                snapshots.add(playlist.live().withReports(siblings));
            }

            @Override
            public void onSegment(LiveSegment segment) {
                playlist.add(segment);
                snapshots.add(playlist.live().withReports(siblings));
            }
        });
        segmenter.init(LiveSegmenterTest.init(0));
        // 90 kHz media clock: 10 frames are 30000 ticks; every 30 frames a keyframe, but one second is 40 frames long.
        long t = 0;
        for (int second = 0; second < 20; second++) {
            int frames = second == 7 ? 40 : 30;
            for (int f = 0; f < frames; f += 10) {
                int n = Math.min(10, frames - f);
                segmenter.fragment(new io.castpipe.packager.cmaf.Fragment(t, new byte[] {1}, 1, 90_000, t, n * 3000L, f == 0,
                        List.of()));
                t += n * 3000L;
            }
        }
        assertThat(snapshots).hasSizeGreaterThan(70);
        int deltas = 0;
        for (PlaylistSnapshot snapshot : snapshots) {
            String text = LivePlaylistWriter.write(snapshot);
            checkPartRules(text);
            assertThat(tagValues(text, "#EXT-X-RENDITION-REPORT")).as(text).containsExactly(
                    "URI=\"../1080p/index.m3u8\",LAST-MSN=9,LAST-PART=2", "URI=\"../360p/index.m3u8\",LAST-MSN=10");
            if (snapshot.delta().isPresent()) {
                checkDelta(text, LivePlaylistWriter.write(snapshot.delta().get()));
                deltas++;
            } else if (!snapshot.segments().isEmpty()) {
                assertThat(snapshot.segments().stream().mapToDouble(PlaylistSnapshot.Segment::duration).sum()
                        - snapshot.segments().get(0).duration()).as("nothing to skip: " + text).isLessThan(snapshot.canSkipUntil());
            }
        }
        assertThat(deltas).as("a 12-segment window has segments to skip once full").isGreaterThan(20);
        String last = LivePlaylistWriter.write(snapshots.get(snapshots.size() - 1));
        assertThat(last).contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=6.000\n",
                "#EXT-X-PART-INF:PART-TARGET=0.334\n", "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-20.0.m4s\"\n");
        // The storage copy lists whole segments only, and offers neither delta updates nor reports.
        assertThat(LivePlaylistWriter.write(playlist.live().withoutParts())).doesNotContain("EXT-X-PART", "PRELOAD-HINT",
                "CAN-SKIP-UNTIL", "RENDITION-REPORT").contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n");
        assertThat(playlist.live().withoutParts().delta()).isEmpty();
        playlist.end();
        PlaylistSnapshot ended = playlist.live().withReports(siblings);
        assertThat(LivePlaylistWriter.write(ended)).doesNotContain("PRELOAD-HINT", "CAN-SKIP-UNTIL", "RENDITION-REPORT")
                .endsWith("#EXT-X-ENDLIST\n");
        assertThat(ended.delta()).as("an ended playlist is not reloaded").isEmpty();
    }

    /**
     * RFC 8216bis §6.2.5.1: the delta is the whole playlist with its oldest segments, those that
     * end at least CAN-SKIP-UNTIL before the last one ends and only those, replaced by EXT-X-SKIP.
     */
    private static void checkDelta(String whole, String delta) {
        assertThat(tagValues(delta, "#EXT-X-VERSION")).as(delta).containsExactly("9");
        for (String tag : List.of("#EXT-X-TARGETDURATION", "#EXT-X-SERVER-CONTROL", "#EXT-X-PART-INF", "#EXT-X-MEDIA-SEQUENCE")) {
            assertThat(tagValues(delta, tag)).as(tag).isEqualTo(tagValues(whole, tag));
        }
        assertThat(tagValues(delta, "#EXT-X-DISCONTINUITY-SEQUENCE")).isEqualTo(tagValues(whole, "#EXT-X-DISCONTINUITY-SEQUENCE"));
        int skipped = Integer.parseInt(tagValues(delta, "#EXT-X-SKIP").get(0).replace("SKIPPED-SEGMENTS=", ""));
        List<String> wholeSegments = segmentUris(whole);
        List<String> deltaSegments = segmentUris(delta);
        assertThat(skipped).as(delta).isPositive().isEqualTo(wholeSegments.size() - deltaSegments.size());
        assertThat(deltaSegments).isEqualTo(wholeSegments.subList(skipped, wholeSegments.size()));
        List<Double> durations = tagValues(whole, "#EXTINF").stream().map(d -> Double.parseDouble(d.replace(",", ""))).toList();
        double skipUntil = Double.parseDouble(tagValues(whole, "#EXT-X-SERVER-CONTROL").get(0)
                .replaceAll(".*CAN-SKIP-UNTIL=([0-9.]+).*", "$1"));
        double afterLastSkipped = durations.subList(skipped, durations.size()).stream().mapToDouble(Double::doubleValue).sum();
        double afterFirstKept = afterLastSkipped - durations.get(skipped);
        assertThat(afterLastSkipped).as("skipped segments end CAN-SKIP-UNTIL or more before the end").isGreaterThanOrEqualTo(skipUntil);
        assertThat(afterFirstKept).as("the first segment kept ends less than CAN-SKIP-UNTIL before the end").isLessThan(skipUntil);
        // From the first segment kept on (its date, parts, the hint, the reports), the delta is the whole playlist.
        String firstKeptDate = delta.substring(delta.indexOf("#EXT-X-PROGRAM-DATE-TIME:"));
        assertThat(whole).endsWith(firstKeptDate);
        assertThat(delta.substring(0, delta.indexOf("#EXT-X-PROGRAM-DATE-TIME:")))
                .as("the init segment is named again before the first segment kept").contains("#EXT-X-MAP:URI=");
    }

    private static List<String> segmentUris(String playlist) {
        return java.util.Arrays.stream(playlist.split("\n")).filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static void checkPartRules(String text) {
        double partTarget = Double.parseDouble(tagValues(text, "#EXT-X-PART-INF").get(0).replace("PART-TARGET=", ""));
        int targetDuration = Integer.parseInt(tagValues(text, "#EXT-X-TARGETDURATION").get(0));
        String control = tagValues(text, "#EXT-X-SERVER-CONTROL").get(0);
        double holdBack = Double.parseDouble(control.replaceAll(".*PART-HOLD-BACK=([0-9.]+).*", "$1"));
        assertThat(holdBack).as(text).isGreaterThanOrEqualTo(3 * partTarget);
        double skipUntil = Double.parseDouble(control.replaceAll(".*CAN-SKIP-UNTIL=([0-9.]+).*", "$1"));
        assertThat(skipUntil).as("the Skip Boundary is at least six target durations: " + text)
                .isGreaterThanOrEqualTo(6.0 * targetDuration);
        assertThat(tagValues(text, "#EXT-X-PRELOAD-HINT")).as(text).hasSize(1);

        String[] lines = text.split("\n");
        List<double[]> pending = new ArrayList<>(); // duration, independent (1/0) of the parts before the next EXTINF
        double partsListed = 0;
        boolean sawParts = false;
        long sequence = Long.parseLong(tagValues(text, "#EXT-X-MEDIA-SEQUENCE").get(0));
        List<Double> afterFirstPart = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#EXT-X-PART:")) {
                double d = Double.parseDouble(line.replaceAll(".*DURATION=([0-9.]+).*", "$1"));
                boolean independent = line.contains("INDEPENDENT=YES");
                String uri = line.replaceAll(".*URI=\"([^\"]+)\".*", "$1");
                assertThat(uri).as(text).startsWith("part-" + sequence + "." + pending.size() + ".");
                assertThat(independent).as("a segment's first part starts with its keyframe: " + text).isEqualTo(pending.isEmpty());
                assertThat(d).as("part duration ≤ PART-TARGET: " + line).isLessThanOrEqualTo(partTarget);
                pending.add(new double[] {d, independent ? 1 : 0});
                sawParts = true;
            } else if (line.startsWith("#EXTINF:")) {
                double extinf = Double.parseDouble(line.substring(8, line.indexOf(',')));
                if (!pending.isEmpty()) {
                    assertThat(pending.stream().mapToDouble(p -> p[0]).sum()).as(text).isCloseTo(extinf, org.assertj.core.data.Offset.offset(0.003));
                    // ≥ 85 % of the target unless independent or the last of its segment
                    for (int p = 0; p < pending.size() - 1; p++) {
                        if (pending.get(p)[1] == 0) {
                            assertThat(pending.get(p)[0]).as(text).isGreaterThanOrEqualTo(0.85 * partTarget);
                        }
                    }
                    partsListed += extinf;
                } else {
                    assertThat(sawParts).as("once parts are listed, every later segment lists them: " + text).isFalse();
                }
                afterFirstPart.add(extinf);
                pending.clear();
                sequence++;
            } else if (line.startsWith("#EXT-X-PRELOAD-HINT:")) {
                String uri = line.replaceAll(".*URI=\"([^\"]+)\".*", "$1");
                double open = pending.stream().mapToDouble(p -> p[0]).sum();
                // the next part of the open segment, or the first of the next once the open one is a segment long
                assertThat(uri).as(text).isEqualTo(open < 0.95 * targetDuration ? "part-" + sequence + "." + pending.size() + ".m4s"
                        : "part-" + (sequence + 1) + ".0.m4s");
            }
        }
        // Parts are listed for no more than the segments of the last three target durations (plus the open one).
        assertThat(partsListed).as(text).isLessThanOrEqualTo(3.0 * targetDuration + 1.34);
        assertThat(tagValues(text, "#EXT-X-PROGRAM-DATE-TIME")).as(text).isNotEmpty();
    }
}
