package io.castpipe.origin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Distinct clients polling a live stream are counted and reported on stream.events as VIEWERS. */
class LiveViewersTest {
    private static final String NODE = "origin-viewers-test";

    @Test
    void clientsPollingAMediaPlaylistAreReportedAsViewersThenZeroWhenTheyStop() throws Exception {
        String stream = Ids.newId();
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "test", Duration.ofSeconds(15));
        Topics topics = new Topics("origintest.");
        List<StreamEvent> reports = new CopyOnWriteArrayList<>();
        try (OriginFixture origin = OriginFixture.start("live-viewers", OriginFixture.env(
                "CASTPIPE_NODE_ID", NODE, "CASTPIPE_ORIGIN_VIEWER_WINDOW_SECONDS", "3"), null);
             EventPublisher ingest = new EventPublisher(kafka, topics, "test");
             EventConsumer<StreamEvent> api = new EventConsumer<>(kafka, topics, Topic.STREAM_EVENTS, "t-" + Ids.newId(),
                     StreamEvent.class, e -> {
                         if (e.type() == StreamEvent.Type.VIEWERS && stream.equals(e.streamId())) {
                             reports.add(e);
                         }
                     })) {
            api.start();
            origin.store.put(ObjectKeys.liveFile(stream, "720p", "index.m3u8"),
                    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg-1.m4s\n".getBytes(), "application/vnd.apple.mpegurl");
            origin.store.put(ObjectKeys.liveMaster(stream), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n".getBytes(),
                    "application/vnd.apple.mpegurl");
            ingest.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), "gwen-live", "avc1", null, Map.of()));

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !hasReport(reports, e -> e.viewers() == 3)) {
                for (int i = 1; i <= 3; i++) {
                    // the same address behind a proxy, told apart by their User-Agent and forwarded address
                    assertThat(origin.get("/live/gwen-live/720p/index.m3u8", "X-Forwarded-For", "203.0.113." + i + ", 10.0.0.1",
                            "User-Agent", "viewer-" + i).statusCode()).isIn(200, 404);
                }
                // the master playlist alone is not watching
                origin.get("/live/gwen-live/master.m3u8", "User-Agent", "prefetcher");
                Thread.sleep(500);
            }
            assertThat(reports).as("VIEWERS reports").anyMatch(e -> e.viewers() == 3);
            assertThat(reports).allMatch(e -> NODE.equals(e.node()) && e.viewers() <= 3);
            assertThat(awaitScrape(origin, "stream=\"" + stream + "\"")).contains("} 3.0");

            int before = reports.size();
            long zeroDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < zeroDeadline && !hasReport(reports.subList(before, reports.size()), e -> e.viewers() == 0)) {
                Thread.sleep(200);
            }
            assertThat(reports.subList(before, reports.size())).as("reports after the clients stopped")
                    .anyMatch(e -> e.viewers() == 0);
        }
    }

    private static boolean hasReport(List<StreamEvent> reports, Predicate<StreamEvent> p) {
        return reports.stream().anyMatch(p);
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
