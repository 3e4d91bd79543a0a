package io.castpipe.origin;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /live/{channel}/…} on behalf of the stream's recording (the video with the stream's id):
 * the live window is public while the stream is live, with or without an access record, unless the
 * record is a tombstone; the recording's pieces, and everything once the stream has ended, follow
 * the recording's access record, and without one are not served.
 */
class RecordingAccessTest {
    private static final String ADMIN = "admin-token-for-recording-tests";
    private static final PlaybackTokens TOKENS = new PlaybackTokens(OriginFixture.SIGNING_SECRET);
    /** The origin reads an access record again after 5 s; give it time on a busy machine. */
    private static final Duration NOTICED = Duration.ofSeconds(20);
    private static OriginFixture origin;
    private static EventPublisher kafka;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginFixture.start("recording-access", Map.of(), ADMIN);
        kafka = OriginFixture.publisher();
    }

    @AfterAll
    static void stop() {
        kafka.close();
        origin.close();
    }

    @Test
    void whileLiveTheWindowIsPublicAndTheRecordingsOwnPiecesFollowItsAccess() throws Exception {
        Broadcast b = Broadcast.start("kate-live", "public");
        assertThat(status(b.path("360p/history-0.m3u8"))).isEqualTo(200);
        assertThat(status(b.path("360p/seg-0.m4s"))).isEqualTo(200);

        origin.accessRecord(b.stream, "private");
        awaitStatus(b.path("360p/history-0.m3u8"), 403);
        for (String windowFile : List.of("master.m3u8", "360p/index.m3u8", "360p/init.mp4", "360p/seg-4.m4s",
                "360p/part-3.0.m4s", "360p/part-5.1.m4s")) {
            HttpResponse<byte[]> r = origin.get(b.path(windowFile));
            assertThat(r.statusCode()).as(windowFile).isEqualTo(200);
            assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).as(windowFile).startsWith("public");
        }
        // What has left the window is the recording's only, parts of its segments too.
        for (String recordingFile : List.of("360p/seg-0.m4s", "360p/seg-2.m4s", "360p/part-0.0.m4s", "360p/part-2.1.m4s",
                "360p/vod.m3u8")) {
            assertThat(status(b.path(recordingFile))).as(recordingFile).isEqualTo(403);
        }
        HttpResponse<byte[]> history = origin.get(b.path("360p/history-0.m3u8?token=" + token(b.stream)));
        assertThat(history.statusCode()).isEqualTo(200);
        assertThat(history.headers().firstValue("Cache-Control")).hasValue("private, max-age=1");
        assertThat(new String(history.body(), StandardCharsets.UTF_8)).contains("\nseg-0.m4s?token=");
    }

    @Test
    void onceEndedAPrivateRecordingIsServedOnlyWithATokenAndADeletedOneToNobody() throws Exception {
        Broadcast b = Broadcast.start("lena-live", "public");
        b.end();
        origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "vod.m3u8"), b.playlist(0, 6, true), "application/vnd.apple.mpegurl");
        assertThat(status(b.path("360p/vod.m3u8"))).isEqualTo(200);

        origin.accessRecord(b.stream, "private");
        awaitStatus(b.path("360p/index.m3u8"), 403);
        for (String file : List.of("360p/vod.m3u8", "master.m3u8", "360p/init.mp4", "360p/seg-4.m4s", "360p/seg-0.m4s",
                "360p/history-0.m3u8")) {
            assertThat(status(b.path(file))).as(file).isEqualTo(403);
        }
        String token = token(b.stream);
        HttpResponse<byte[]> vod = origin.get(b.path("360p/vod.m3u8?token=" + token));
        assertThat(vod.statusCode()).isEqualTo(200);
        assertThat(new String(vod.body(), StandardCharsets.UTF_8)).contains("\nseg-5.m4s?token=" + token + "\n");
        assertThat(origin.get(b.path("360p/seg-5.m4s?token=" + token)).statusCode()).isEqualTo(200);
        assertThat(origin.get(b.path("360p/seg-5.m4s"), "Authorization", "Bearer " + ADMIN).statusCode()).isEqualTo(200);

        // Deleted: the record becomes a tombstone first; whatever is still in storage, or is written after, is gone.
        origin.accessRecord(b.stream, "deleted");
        awaitStatus(b.path("360p/vod.m3u8?token=" + token), 404);
        origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "seg-6.m4s"), new byte[] {6}, "video/iso.segment");
        for (String file : List.of("360p/vod.m3u8", "360p/seg-5.m4s", "360p/seg-6.m4s", "master.m3u8")) {
            assertThat(status(b.path(file))).as(file).isEqualTo(404);
            assertThat(status(b.path(file + "?token=" + token))).as(file + " with a token").isEqualTo(404);
            assertThat(origin.get(b.path(file), "Authorization", "Bearer " + ADMIN).statusCode()).as(file + " as admin")
                    .isEqualTo(404);
        }
    }

    @Test
    void deletingTheRecordingWhileLiveTakesTheLiveWindowWithIt() throws Exception {
        Broadcast b = Broadcast.start("mona-live", "public");
        origin.accessRecord(b.stream, "deleted");
        awaitStatus(b.path("360p/index.m3u8"), 404);
        for (String file : List.of("master.m3u8", "360p/init.mp4", "360p/seg-4.m4s", "360p/index.m3u8?_HLS_msn=5")) {
            assertThat(status(b.path(file))).as(file).isEqualTo(404);
        }
    }

    @Test
    void whileTheApiHasNotCaughtUpTheWindowIsPublicAndTheRecordingIsNot() throws Exception {
        // The API has not yet written the recording's record (it is down, or behind on stream.events).
        Broadcast b = Broadcast.start("nina-live", null);
        origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "vod.m3u8"), b.playlist(0, 6, false), "application/vnd.apple.mpegurl");
        for (String windowFile : List.of("master.m3u8", "360p/index.m3u8", "360p/init.mp4", "360p/seg-3.m4s", "360p/seg-5.m4s",
                "360p/part-5.0.m4s")) {
            HttpResponse<byte[]> r = origin.get(b.path(windowFile));
            assertThat(r.statusCode()).as(windowFile).isEqualTo(200);
            assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).as(windowFile).startsWith("public");
        }
        for (String recordingFile : List.of("360p/history-0.m3u8", "360p/seg-0.m4s", "360p/part-1.0.m4s", "360p/vod.m3u8")) {
            assertThat(status(b.path(recordingFile))).as(recordingFile).isEqualTo(404);
            assertThat(status(b.path(recordingFile) + "?token=" + token(b.stream))).as(recordingFile + " with a token")
                    .isEqualTo(404);
        }

        // The API catches up: from then on the recording's pieces follow its record.
        origin.accessRecord(b.stream, "public");
        awaitStatus(b.path("360p/history-0.m3u8"), 200);
        assertThat(status(b.path("360p/seg-0.m4s"))).isEqualTo(200);

        // A stream that ended before the API caught up: all of it is the recording's, not served yet.
        Broadcast ended = Broadcast.start("olga-live", null);
        ended.end();
        awaitStatus(ended.path("360p/index.m3u8"), 404);
        for (String file : List.of("master.m3u8", "360p/init.mp4", "360p/seg-4.m4s")) {
            assertThat(status(ended.path(file))).as(file).isEqualTo(404);
        }
        assertThat(new String(origin.get(ended.path("master.m3u8")).body())).contains("no such video");
    }

    private static int status(String path) {
        return origin.get(path).statusCode();
    }

    private static void awaitStatus(String path, int status) {
        await().atMost(NOTICED).pollInterval(Duration.ofMillis(100)).until(() -> status(path) == status);
    }

    private static String token(String video) {
        return URLEncoder.encode(TOKENS.issue(video, Instant.now().plusSeconds(600)), StandardCharsets.UTF_8);
    }

    /**
     * A live stream of one 360p rendition as the packager leaves it: six segments and their two
     * parts each, the first three already out of the window (listed in a history piece), the
     * playlist of segments 3 to 5 announced on hls.updates; its recording's access record {@code visibility}, as the API makes
     * it when the stream starts, or none (null) while the API has not caught up.
     */
    private record Broadcast(String stream, String channel) {
        static Broadcast start(String channel, String visibility) throws Exception {
            Broadcast b = new Broadcast(Ids.newId(), channel);
            if (visibility != null) {
                origin.accessRecord(b.stream, visibility);
            }
            origin.store.put(ObjectKeys.liveMaster(b.stream), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n".getBytes(),
                    "application/vnd.apple.mpegurl");
            origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "init.mp4"), new byte[] {0, 0, 0, 8}, "video/mp4");
            for (int n = 0; n < 6; n++) {
                origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "seg-" + n + ".m4s"), new byte[] {(byte) n},
                        "video/iso.segment");
                for (int p = 0; p < 2; p++) {
                    origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "part-" + n + "." + p + ".m4s"), new byte[] {(byte) n},
                            "video/iso.segment");
                }
            }
            origin.store.put(ObjectKeys.liveFile(b.stream, "360p", "history-0.m3u8"), b.playlist(0, 3, false),
                    "application/vnd.apple.mpegurl");
            kafka.publishDurably(Topic.STREAM_EVENTS, b.stream, StreamEvent.started(b.stream, Ids.newId(), channel, "avc1", null,
                    Map.of()));
            String key = ObjectKeys.liveFile(b.stream, "360p", "index.m3u8");
            byte[] window = b.playlist(3, 3, false);
            origin.store.put(key, window, "application/vnd.apple.mpegurl");
            // An origin that has just started hears announcements once it has joined the topic: announce until heard.
            await().atMost(NOTICED).pollInterval(Duration.ofMillis(200)).until(() -> {
                kafka.publishDurably(Topic.HLS_UPDATES, b.stream, new HlsUpdate(b.stream, "360p", HlsUpdate.Kind.PLAYLIST, 5, null,
                        key, window, Instant.now()));
                return origin.origin.cache().contains(key) && status(b.path("360p/seg-3.m4s")) == 200;
            });
            return b;
        }

        void end() {
            kafka.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.ended(stream, Ids.newId(), channel, "publisher ended"));
        }

        String path(String file) {
            return "/live/" + channel + "/" + file;
        }

        byte[] playlist(long first, int count, boolean ended) {
            StringBuilder text = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:")
                    .append(first).append("\n#EXT-X-MAP:URI=\"init.mp4\"\n");
            for (long n = first; n < first + count; n++) {
                text.append("#EXTINF:1.000,\nseg-").append(n).append(".m4s\n");
            }
            return text.append(ended ? "#EXT-X-ENDLIST\n" : "").toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
