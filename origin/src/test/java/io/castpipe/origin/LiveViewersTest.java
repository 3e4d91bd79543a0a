package io.castpipe.origin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.node.Supervisor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Distinct clients polling a live stream are counted and reported on stream.events as VIEWERS. */
class LiveViewersTest {
    /** This test's client, and the proxies it says the viewers came through. */
    private static final String PROXIES = "127.0.0.1,10.0.0.0/8";
    private final String stream = Ids.newId();
    private final List<StreamEvent> reports = new CopyOnWriteArrayList<>();
    private EventPublisher ingest;
    private EventConsumer<StreamEvent> api;

    @BeforeEach
    void listen() throws Exception {
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "test", Duration.ofSeconds(15));
        Topics topics = new Topics("origintest.");
        ingest = new EventPublisher(kafka, topics, "test");
        api = new EventConsumer<>(new Supervisor(new SimpleMeterRegistry()), "test-viewers", kafka, topics, Topic.STREAM_EVENTS, "t-" + Ids.newId(), StreamEvent.class, e -> {
            if (e.type() == StreamEvent.Type.VIEWERS && stream.equals(e.streamId())) {
                reports.add(e);
            }
        });
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
        ingest.close();
    }

    @Test
    void clientsPollingAMediaPlaylistAreReportedAsViewersThenZeroWhenTheyStop() throws Exception {
        try (OriginFixture origin = OriginFixture.start("live-viewers", OriginFixture.env(
                "CASTPIPE_NODE_ID", "origin-a", "CASTPIPE_ORIGIN_VIEWER_WINDOW_SECONDS", "3", "CASTPIPE_TRUSTED_PROXIES", PROXIES), null)) {
            goLive(origin, "gwen-live");
            pollUntilReported(origin, "gwen-live", 3);
            assertThat(reports).allMatch(e -> "origin-a".equals(e.node()) && e.viewers() <= 3);
            assertThat(awaitScrape(origin, "stream=\"" + stream + "\"")).contains("} 3.0");

            int before = reports.size();
            await(() -> reports.subList(before, reports.size()).stream().anyMatch(e -> e.viewers() == 0), Duration.ofSeconds(30));
            assertThat(reports.subList(before, reports.size())).as("reports after the clients stopped")
                    .anyMatch(e -> e.viewers() == 0);
        }
    }

    @Test
    void aStoppingOriginReportsZeroForTheStreamsItWasServing() throws Exception {
        OriginFixture origin = OriginFixture.start("live-viewers", OriginFixture.env("CASTPIPE_NODE_ID", "origin-b", "CASTPIPE_TRUSTED_PROXIES", PROXIES), null);
        try {
            goLive(origin, "ivan-live");
            pollUntilReported(origin, "ivan-live", 3);
        } finally {
            origin.close();
        }
        // Within 10 s of the last poll, far sooner than the 20 s the viewers would take to expire.
        await(() -> reports.get(reports.size() - 1).viewers() == 0, Duration.ofSeconds(10));
        StreamEvent last = reports.get(reports.size() - 1);
        assertThat(last.viewers()).isZero();
        assertThat(last.node()).isEqualTo("origin-b");
    }

    private void goLive(OriginFixture origin, String channel) {
        origin.store.put(ObjectKeys.liveFile(stream, "720p", "index.m3u8"),
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg-1.m4s\n".getBytes(), "application/vnd.apple.mpegurl");
        origin.store.put(ObjectKeys.liveMaster(stream), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n".getBytes(),
                "application/vnd.apple.mpegurl");
        origin.accessRecord(stream, "public");
        ingest.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), channel, "avc1", null, Map.of()));
    }

    @Test
    void forwardedAddressesFromAPeerThatIsNotATrustedProxyAreNotBelieved() throws Exception {
        try (OriginFixture origin = OriginFixture.start("live-viewers", OriginFixture.env("CASTPIPE_NODE_ID", "origin-c",
                "CASTPIPE_ORIGIN_VIEWER_WINDOW_SECONDS", "3"), null)) {
            goLive(origin, "judy-live");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && reports.stream().noneMatch(e -> e.viewers() > 0)) {
                // one client claiming to be ten
                for (int i = 1; i <= 10; i++) {
                    origin.get("/live/judy-live/720p/index.m3u8", "X-Forwarded-For", "198.51.100." + i, "User-Agent", "one-client");
                }
                Thread.sleep(500);
            }
            assertThat(reports).as("VIEWERS reports").anyMatch(e -> e.viewers() > 0);
            assertThat(reports).allMatch(e -> e.viewers() <= 1);
        }
    }

    /** Three clients behind one proxy poll the 720p playlist until the origin reports {@code n} viewers. */
    private void pollUntilReported(OriginFixture origin, String channel, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && reports.stream().noneMatch(e -> e.viewers() == n)) {
            for (int i = 1; i <= 3; i++) {
                assertThat(origin.get("/live/" + channel + "/720p/index.m3u8", "X-Forwarded-For", "203.0.113." + i + ", 10.0.0.1",
                        "User-Agent", "viewer-" + i).statusCode()).isIn(200, 404);
            }
            // viewer 1 again, through another proxy: the client is the address the trusted proxies name
            origin.get("/live/" + channel + "/720p/seg-1.m4s", "X-Forwarded-For", "203.0.113.1, 10.0.0.9", "User-Agent", "viewer-1");
            // the master playlist alone is not watching
            origin.get("/live/" + channel + "/master.m3u8", "User-Agent", "prefetcher");
            Thread.sleep(500);
        }
        assertThat(reports).as("VIEWERS reports").anyMatch(e -> e.viewers() == n);
    }

    private static void await(BooleanSupplier done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && !done.getAsBoolean()) {
            Thread.sleep(100);
        }
    }

    private static String awaitScrape(OriginFixture origin, String needle) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String line = "";
        while (System.nanoTime() < deadline && line.isEmpty()) {
            line = origin.metrics.scrape().lines().filter(l -> l.startsWith("castpipe_origin_viewers") && l.contains(needle))
                    .findFirst().orElse("");
            Thread.sleep(100);
        }
        return line;
    }
}
