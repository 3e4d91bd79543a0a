package io.castpipe.origin;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

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

/** /live/{channel}/…: the channel's current stream from stream.events, fresh objects from hls.updates. */
class LiveDeliveryTest {
    private static OriginFixture origin;
    private static EventPublisher kafka;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginFixture.start("live-delivery");
        kafka = OriginFixture.publisher();
    }

    @AfterAll
    static void stop() {
        kafka.close();
        origin.close();
    }

    @Test
    void aChannelsPlaybackUrlServesItsCurrentStream() throws Exception {
        String stream = Ids.newId();
        origin.store.put(ObjectKeys.liveMaster(stream), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n".getBytes(),
                "application/vnd.apple.mpegurl");
        origin.store.put(ObjectKeys.liveFile(stream, "720p", "init.mp4"), new byte[] {1, 2, 3}, "video/mp4");
        assertThat(origin.get("/live/dana-live/master.m3u8").statusCode()).isEqualTo(404);

        origin.accessRecord(stream, "public");
        kafka.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), "dana-live", "avc1", "mp4a", Map.of()));
        HttpResponse<byte[]> master = await("/live/dana-live/master.m3u8");
        assertThat(new String(master.body())).contains("720p/index.m3u8");
        assertThat(master.headers().firstValue("Content-Type")).contains("application/vnd.apple.mpegurl");
        assertThat(master.headers().firstValue("Cache-Control")).contains("public, max-age=1");
        HttpResponse<byte[]> init = origin.get("/live/dana-live/720p/init.mp4");
        assertThat(init.body()).containsExactly(1, 2, 3);
        assertThat(init.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, s-maxage=60, immutable");
    }

    @Test
    void announcedSegmentsAreServedFromMemoryWithoutAStorageRead() throws Exception {
        String stream = Ids.newId();
        origin.accessRecord(stream, "public");
        kafka.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), "erin-live", "avc1", null, Map.of()));
        String key = ObjectKeys.liveFile(stream, "360p", "seg-7.m4s");
        // Not in storage at all: only the announcement carries it. An origin that has just started
        // hears announcements once it has joined the topic, so announce until it is served.
        HttpResponse<byte[]> seg = origin.get("/live/erin-live/360p/seg-7.m4s");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (int i = 0; seg.statusCode() != 200 && System.nanoTime() < deadline; i++) {
            if (i % 10 == 0) {
                kafka.publishDurably(Topic.HLS_UPDATES, stream,
                        new HlsUpdate(stream, "360p", HlsUpdate.Kind.SEGMENT, 7, null, key, new byte[] {9, 9, 9}, Instant.now()));
            }
            Thread.sleep(50);
            seg = origin.get("/live/erin-live/360p/seg-7.m4s");
        }
        assertThat(seg.body()).as("only the announcement has these bytes").containsExactly(9, 9, 9);
        long reads = origin.store.reads(key);
        for (int i = 0; i < 5; i++) {
            assertThat(origin.get("/live/erin-live/360p/seg-7.m4s").body()).containsExactly(9, 9, 9);
        }
        assertThat(origin.store.reads(key)).as("storage reads once served from memory").isEqualTo(reads);
    }

    @Test
    void hostileOrUnknownLivePathsAreRefused() {
        for (String path : new String[] {"/live/../vod/x/master.m3u8", "/live/%2e%2e/master.m3u8", "/live/UPPER/master.m3u8",
                "/live/ok-chan/a/b/seg-1.m4s", "/live/ok-chan/master.exe", "/live/nobody-here/master.m3u8", "/live/"}) {
            int status = origin.get(path).statusCode();
            assertThat(status).as(path).isIn(400, 404);
        }
    }

    private static HttpResponse<byte[]> await(String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpResponse<byte[]> r = origin.get(path);
        while (r.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = origin.get(path);
        }
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r;
    }
}
