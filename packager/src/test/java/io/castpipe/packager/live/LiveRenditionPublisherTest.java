package io.castpipe.packager.live;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.ffmpeg.FfmpegProgress;
import io.castpipe.common.media.Ids;
import io.castpipe.common.storage.ForwardingObjectStore;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import io.castpipe.packager.cmaf.Fmp4Fixtures;
import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.packager.cmaf.FragmentParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LiveRenditionPublisherTest {
    private static S3ObjectStore s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ObjectStore(new S3Settings(URI.create(TestServices.s3().endpoint()), "us-east-1", "live-test",
                TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY, true, 5 * 1024 * 1024));
        s3.ensureBucket();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    /** Remembers what was written, and checks no playlist names a segment that is not yet stored. */
    static final class CheckingStore extends ForwardingObjectStore {
        final List<String> puts = Collections.synchronizedList(new ArrayList<>());
        final List<String> problems = new ArrayList<>();

        CheckingStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) {
            if (key.endsWith(".m3u8")) {
                String folder = key.substring(0, key.lastIndexOf('/') + 1);
                Matcher m = Pattern.compile("(?m)^(seg-\\d+\\.m4s)$").matcher(new String(bytes, StandardCharsets.UTF_8));
                while (m.find()) {
                    if (!puts.contains(folder + m.group(1))) {
                        problems.add(key + " names " + m.group(1) + " before it is stored");
                    }
                }
                Matcher map = Pattern.compile("URI=\"([^\"]+)\"").matcher(new String(bytes, StandardCharsets.UTF_8));
                while (map.find()) {
                    if (!puts.contains(folder + map.group(1))) {
                        problems.add(key + " names " + map.group(1) + " before it is stored");
                    }
                }
            }
            super.put(key, bytes, contentType);
            puts.add(key);
        }
    }

    @Test
    void publishesARenditionThatFfmpegPlaysAndAnnouncesEachObjectAfterWritingIt() throws Exception {
        String streamId = Ids.newId();
        String prefix = "live/" + streamId + "/720p/";
        CheckingStore store = new CheckingStore(s3);
        List<HlsUpdate> updates = new ArrayList<>();
        long anchor = Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli();
        LivePlaylist playlist = new LivePlaylist(6, Duration.ofSeconds(2));
        LiveRenditionPublisher publisher = new LiveRenditionPublisher(store, streamId, "720p", playlist, u -> {
            // announced only once the object is in storage
            assertThat(store.puts).contains(u.key());
            updates.add(u);
        }, new RenditionReports(), 16 * 1024);
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), anchor, publisher);

        Fmp4Fixtures.feedInChunks(new FragmentParser(segmenter), Fmp4Fixtures.muxed(), 17, 3000);
        // while live: the window, no ENDLIST yet
        String running = read(prefix + "index.m3u8");
        assertThat(running).contains("#EXT-X-MEDIA-SEQUENCE:0", "seg-3.m4s").doesNotContain("seg-4.m4s", "#EXT-X-ENDLIST");
        segmenter.end();

        assertThat(store.problems).isEmpty();
        assertThat(s3.list(prefix)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(
                prefix + "init.mp4", prefix + "index.m3u8", prefix + "vod.m3u8",
                prefix + "seg-0.m4s", prefix + "seg-1.m4s", prefix + "seg-2.m4s", prefix + "seg-3.m4s", prefix + "seg-4.m4s");
        assertThat(store.puts.get(0)).isEqualTo(prefix + "init.mp4");

        // announcements: INIT, then SEGMENT n and PLAYLIST n for each segment, then the final PLAYLIST
        assertThat(updates).extracting(HlsUpdate::kind).containsExactly(
                HlsUpdate.Kind.INIT,
                HlsUpdate.Kind.SEGMENT, HlsUpdate.Kind.PLAYLIST, HlsUpdate.Kind.SEGMENT, HlsUpdate.Kind.PLAYLIST,
                HlsUpdate.Kind.SEGMENT, HlsUpdate.Kind.PLAYLIST, HlsUpdate.Kind.SEGMENT, HlsUpdate.Kind.PLAYLIST,
                HlsUpdate.Kind.SEGMENT, HlsUpdate.Kind.PLAYLIST, HlsUpdate.Kind.PLAYLIST);
        assertThat(updates).allSatisfy(u -> {
            assertThat(u.streamId()).isEqualTo(streamId);
            assertThat(u.rendition()).isEqualTo("720p");
            assertThat(u.key()).startsWith(prefix);
        });
        HlsUpdate seg2 = updates.get(5);
        assertThat(seg2.sequence()).isEqualTo(2);
        assertThat(seg2.key()).isEqualTo(prefix + "seg-2.m4s");
        assertThat(seg2.bytes()).isNull(); // a 500 kB segment is too big to travel in the record
        HlsUpdate last = updates.get(updates.size() - 1);
        assertThat(new String(last.bytes(), StandardCharsets.UTF_8)).isEqualTo(read(prefix + "index.m3u8")).endsWith("#EXT-X-ENDLIST\n");
        HlsUpdate back = EventCodec.decode(EventCodec.encode(last), HlsUpdate.class);
        assertThat(back.bytes()).isEqualTo(last.bytes());
        assertThat(back.kind()).isEqualTo(HlsUpdate.Kind.PLAYLIST);
        assertThat(back.at()).isEqualTo(last.at());

        // download the rendition and let ffmpeg decode it the way a player would
        Path dir = TestServices.tempDir("live-download");
        for (ObjectInfo o : s3.list(prefix)) {
            try (InputStream in = s3.get(o.key())) {
                Files.copy(in, dir.resolve(o.key().substring(prefix.length())));
            }
        }
        assertThat(decodedSeconds(dir.resolve("index.m3u8"))).isCloseTo(10.0, within(0.15));
        assertThat(decodedSeconds(dir.resolve("vod.m3u8"))).isCloseTo(10.0, within(0.15));
        String vod = Files.readString(dir.resolve("vod.m3u8"));
        assertThat(vod).contains("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:05.678Z", "#EXT-X-ENDLIST");
    }

    /**
     * Two renditions of one stream, packaged side by side as the transcoder does: every announced
     * playlist reports the other rendition exactly where its newest announced playlist stood, so
     * a report never names a part the origins have not been told of, and the playlists carry
     * their delta update once the window holds segments to skip.
     */
    @Test
    void eachPlaylistReportsItsSiblingAsLastAnnouncedAndCarriesItsDelta() throws Exception {
        String streamId = Ids.newId();
        RenditionReports reports = new RenditionReports();
        List<HlsUpdate> updates = new ArrayList<>();
        // what the shared reports said of a rendition while its playlist was being announced
        List<String> reportedWhileAnnouncing = new ArrayList<>();
        List<LiveSegmenter> segmenters = new ArrayList<>();
        for (String rendition : List.of("720p", "360p")) {
            LivePlaylist playlist = new LivePlaylist(12, Duration.ofSeconds(1)).withParts(0.334);
            LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(1), System.currentTimeMillis(),
                    new LiveRenditionPublisher(s3, streamId, rendition, playlist, u -> {
                        updates.add(u);
                        reportedWhileAnnouncing.add(reports.siblingsOf("").stream().filter(r -> r.rendition().equals(rendition))
                                .map(r -> r.lastMsn() + "." + r.lastPart()).findFirst().orElse(null));
                    }, reports, 64 * 1024));
            segmenter.init(LiveSegmenterTest.init(0));
            segmenters.add(segmenter);
        }
        // 10-frame parts at 30 fps, a keyframe every second; 360p a part behind 720p.
        List<Fragment> fragments = new ArrayList<>();
        for (int i = 0; i < 16 * 3; i++) {
            fragments.add(new Fragment(i * 30_000L, new byte[] {1}, 1, 90_000, i * 30_000L, 30_000, i % 3 == 0, List.of()));
        }
        for (int i = 0; i <= fragments.size(); i++) {
            if (i < fragments.size()) {
                segmenters.get(0).onFragment(fragments.get(i));
            }
            if (i > 0) {
                segmenters.get(1).onFragment(fragments.get(i - 1));
            }
        }

        Pattern report = Pattern.compile("#EXT-X-RENDITION-REPORT:URI=\"\\.\\./(\\w+)/index\\.m3u8\",LAST-MSN=(\\d+),LAST-PART=(\\d+)");
        Pattern part = Pattern.compile("#EXT-X-PART:DURATION=[0-9.]+,URI=\"part-(\\d+)\\.(\\d+)\\.m4s\"");
        java.util.Map<String, String> newest = new java.util.HashMap<>();
        int reported = 0;
        int withDelta = 0;
        for (int i = 0; i < updates.size(); i++) {
            HlsUpdate u = updates.get(i);
            if (u.kind() != HlsUpdate.Kind.PLAYLIST) {
                continue;
            }
            assertThat(reportedWhileAnnouncing.get(i)).as("a position is reported only after the playlist listing it went out")
                    .isEqualTo(newest.get(u.rendition()));
            String text = new String(u.bytes(), StandardCharsets.UTF_8);
            String sibling = u.rendition().equals("720p") ? "360p" : "720p";
            Matcher m = report.matcher(text);
            if (newest.containsKey(sibling)) {
                assertThat(m.find()).as("a report of %s in %s", sibling, text).isTrue();
                assertThat(m.group(1)).isEqualTo(sibling);
                assertThat(m.group(2) + "." + m.group(3)).as(text).isEqualTo(newest.get(sibling));
                assertThat(m.find()).as("one report per sibling").isFalse();
                reported++;
            } else {
                assertThat(m.find()).as("nothing to report of a sibling that announced nothing").isFalse();
            }
            Matcher last = part.matcher(text);
            while (last.find()) {
                newest.put(u.rendition(), last.group(1) + "." + last.group(2));
            }
            if (u.delta() != null) {
                String delta = new String(u.delta(), StandardCharsets.UTF_8);
                assertThat(delta).contains("#EXT-X-SKIP:SKIPPED-SEGMENTS=", "#EXT-X-RENDITION-REPORT:URI=\"../" + sibling);
                withDelta++;
            }
        }
        assertThat(reported).isGreaterThan(80);
        assertThat(withDelta).as("playlists with more than CAN-SKIP-UNTIL behind their newest segment").isGreaterThan(10);
        assertThat(updates).filteredOn(u -> u.kind() != HlsUpdate.Kind.PLAYLIST).allMatch(u -> u.delta() == null);
    }

    @Test
    void segmentsThatLeaveTheWindowStayForTheRecording() throws Exception {
        String streamId = Ids.newId();
        String prefix = "live/" + streamId + "/360p/";
        LivePlaylist playlist = new LivePlaylist(3, Duration.ofSeconds(1));
        LiveRenditionPublisher publisher = new LiveRenditionPublisher(s3, streamId, "360p", playlist, u -> {
        }, new RenditionReports(), 0);
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(1), System.currentTimeMillis(), publisher);
        Fmp4Fixtures.feedInChunks(new FragmentParser(segmenter), Fmp4Fixtures.videoOnly(), 23, 100_000);
        segmenter.end();

        String index = read(prefix + "index.m3u8");
        assertThat(index).contains("#EXT-X-MEDIA-SEQUENCE:7\n", "seg-9.m4s", "#EXT-X-ENDLIST").doesNotContain("seg-6.m4s");
        assertThat(s3.list(prefix + "seg-")).hasSize(10);
        Path dir = TestServices.tempDir("live-window");
        for (ObjectInfo o : s3.list(prefix)) {
            try (InputStream in = s3.get(o.key())) {
                Files.copy(in, dir.resolve(o.key().substring(prefix.length())));
            }
        }
        assertThat(decodedSeconds(dir.resolve("index.m3u8"))).isCloseTo(3.0, within(0.1));
        assertThat(decodedSeconds(dir.resolve("vod.m3u8"))).isCloseTo(10.0, within(0.1));
    }

    @Test
    void aStreamTakenOverTwiceKeepsEverySegmentInItsRecording() throws Exception {
        String streamId = Ids.newId();
        String prefix = "live/" + streamId + "/360p/";
        List<Fragment> fragments = Fmp4Fixtures.parse(Fmp4Fixtures.videoOnly(), 5, 100_000).fragments;
        Fmp4Init init = Fmp4Fixtures.parse(Fmp4Fixtures.videoOnly(), 5, 100_000).inits.get(0);
        List<Fragment> firstSixSeconds = fragments.stream().filter(f -> f.startSeconds() < 6.9).toList();

        // The first worker dies in the middle of its seventh segment, just as a history piece is due.
        ObjectStore dying = new ForwardingObjectStore(s3) {
            @Override
            public void put(String key, byte[] bytes, String contentType) {
                if (key.endsWith("/history-3.m3u8")) {
                    throw new IllegalStateException("the worker died");
                }
                super.put(key, bytes, contentType);
            }
        };
        LiveSegmenter first = worker(dying, streamId, new LivePlaylist(3, Duration.ofSeconds(1)));
        first.init(init);
        assertThatThrownBy(() -> fragments.forEach(first::fragment)).hasMessage("the worker died");
        assertThat(read(prefix + "index.m3u8")).contains("#EXT-X-MEDIA-SEQUENCE:3\n").doesNotContain("seg-6.m4s");

        // The second worker's encoder starts afresh; it dies after six segments of its own.
        LiveSegmenter second = worker(s3, streamId, LivePlaylist.resume(read(prefix + "index.m3u8"), 3, Duration.ofSeconds(1)));
        second.init(init);
        firstSixSeconds.forEach(second::fragment);
        assertThat(read(prefix + "index.m3u8")).contains("#EXT-X-MEDIA-SEQUENCE:9\n", "seg-11.m4s");

        LiveSegmenter third = worker(s3, streamId, LivePlaylist.resume(read(prefix + "index.m3u8"), 3, Duration.ofSeconds(1)));
        third.init(init);
        fragments.forEach(third::fragment);
        third.end();

        String vod = read(prefix + "vod.m3u8");
        assertThat(vod).startsWith("#EXTM3U").contains("#EXT-X-MEDIA-SEQUENCE:0\n", "#EXT-X-ENDLIST");
        List<String> listed = Pattern.compile("(?m)^(seg-\\d+\\.m4s)$").matcher(vod).results().map(m -> m.group(1)).toList();
        assertThat(listed).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 22).mapToObj(n -> "seg-" + n + ".m4s").toList());
        // Each encoder's segments after a discontinuity, each with its own init segment.
        assertThat(vod).containsSubsequence("#EXT-X-MAP:URI=\"init.mp4\"", "seg-0.m4s", "seg-5.m4s",
                "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"", "seg-6.m4s", "seg-11.m4s",
                "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-2.mp4\"", "seg-12.m4s", "seg-21.m4s");
        assertThat(vod.split("#EXT-X-DISCONTINUITY\n", -1)).hasSize(3);

        Path dir = TestServices.tempDir("live-takeovers");
        for (ObjectInfo o : s3.list(prefix)) {
            try (InputStream in = s3.get(o.key())) {
                Files.copy(in, dir.resolve(o.key().substring(prefix.length())));
            }
        }
        decodedFrames(dir.resolve("vod.m3u8")); // plays through without an error
        // ffmpeg's HLS demuxer keeps one timeline across discontinuities and drops frames where the
        // timestamps go back, so each encoder's part is counted on its own: 6 s, 6 s and 10 s.
        String[] parts = vod.replace("#EXT-X-ENDLIST\n", "").split("#EXT-X-DISCONTINUITY\n");
        String header = parts[0].substring(0, parts[0].indexOf("#EXT-X-MAP"));
        long frames = 0;
        for (int i = 0; i < parts.length; i++) {
            Path part = Files.writeString(dir.resolve("part-" + i + ".m3u8"), (i == 0 ? "" : header) + parts[i] + "#EXT-X-ENDLIST\n");
            frames += decodedFrames(part);
        }
        assertThat(frames).isEqualTo(22 * 30);
    }

    @Test
    void anUnreadableHistoryPieceCostsTheRecordingOnlyItsOwnSegments() throws Exception {
        String streamId = Ids.newId();
        String prefix = "live/" + streamId + "/360p/";
        Fmp4Fixtures.Collected source = Fmp4Fixtures.parse(Fmp4Fixtures.videoOnly(), 7, 100_000);
        LiveSegmenter first = worker(s3, streamId, new LivePlaylist(3, Duration.ofSeconds(1)));
        first.init(source.inits.get(0));
        source.fragments.forEach(first::fragment); // segments 0-8 out, the worker dies with the ninth open
        assertThat(s3.list(prefix + "history-")).hasSize(2);
        s3.put(prefix + "history-3.m3u8", "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:broken\n".getBytes(StandardCharsets.UTF_8),
                "application/vnd.apple.mpegurl");

        LiveSegmenter second = worker(s3, streamId, LivePlaylist.resume(read(prefix + "index.m3u8"), 3, Duration.ofSeconds(1)));
        second.init(source.inits.get(0));
        source.fragments.forEach(second::fragment);
        second.end();
        String vod = read(prefix + "vod.m3u8");
        assertThat(vod).contains("#EXT-X-MEDIA-SEQUENCE:0\n", "seg-2.m4s\n#EXT-X-DISCONTINUITY\n", "seg-18.m4s\n#EXT-X-ENDLIST")
                .doesNotContain("seg-3.m4s", "seg-5.m4s");
    }

    private static LiveSegmenter worker(ObjectStore store, String streamId, LivePlaylist playlist) {
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(1), System.currentTimeMillis(),
                new LiveRenditionPublisher(store, streamId, "360p", playlist, u -> {
                }, new RenditionReports(), 0));
        playlist.lastPosition().ifPresent(segmenter::resumeAfter);
        return segmenter;
    }

    private static long decodedFrames(Path playlist) throws Exception {
        AtomicReference<FfmpegProgress> lastProgress = new AtomicReference<>();
        Fmp4Fixtures.ffmpeg().command("decode-" + playlist.getFileName())
                .args("-v", "error", "-xerror", "-i", playlist.toString(), "-f", "null", "-")
                .onProgress(lastProgress::set)
                .run();
        return lastProgress.get().frame();
    }

    private static String read(String key) throws Exception {
        try (InputStream in = s3.get(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Decodes a playlist with ffmpeg, failing on any error, and says how far it got. */
    private static double decodedSeconds(Path playlist) throws Exception {
        AtomicReference<FfmpegProgress> lastProgress = new AtomicReference<>();
        Fmp4Fixtures.ffmpeg().command("decode-" + playlist.getFileName())
                .args("-v", "error", "-xerror", "-i", playlist.toString(), "-f", "null", "-")
                .onProgress(lastProgress::set)
                .run();
        return lastProgress.get().outTime().toNanos() / 1e9;
    }
}
