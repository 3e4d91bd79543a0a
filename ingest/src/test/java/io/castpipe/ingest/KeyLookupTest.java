package io.castpipe.ingest;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.ingest.amf.Amf0;
import io.castpipe.ingest.amf.Amf0Decoder;
import io.castpipe.ingest.chunk.RtmpMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stream-key lookups cannot be crowded out: many connections publish made-up keys (each sending
 * its publish twice) while the database is slow to answer, and a real publisher with the right
 * key still gets its turn. Each connection has one lookup at most, and there is room for one per
 * connection the process may hold.
 */
class KeyLookupTest {
    private static final int FLOOD = 300;

    @Test
    void aFloodOfPublishesWithMadeUpKeysDelaysARealPublishButDoesNotRefuseIt() throws Exception {
        try (IngestTestNode node = new IngestTestNode("ingestkeys.", Map.of("CASTPIPE_RTMP_MAX_CONNECTIONS", "400",
                "CASTPIPE_RTMP_MAX_CONNECTIONS_PER_ADDRESS", "100", "CASTPIPE_RTMP_PUBLISH_TIMEOUT_SECONDS", "60"))) {
            String[] good = node.channel("patient");
            List<RawRtmpClient> flood = new ArrayList<>();
            for (String from : List.of("127.0.0.21", "127.0.0.22", "127.0.0.23")) {
                for (int i = 0; i < FLOOD / 3; i++) {
                    RawRtmpClient c = RawRtmpClient.handshaken(from, node.port);
                    c.command(0, "connect", 1.0, Amf0.object("app", "live"));
                    c.command(0, "createStream", 2.0, null);
                    flood.add(c);
                }
            }
            List<Connection> busy = new ArrayList<>();
            try {
                // The database is slow: the test holds every connection of its pool, so lookups wait.
                for (int i = 0; i < 4; i++) {
                    busy.add(node.db.connection());
                }
                for (RawRtmpClient c : flood) {
                    String key = "live_" + UUID.randomUUID().toString().replace("-", "");
                    c.command(1, "publish", 3.0, null, key, "live");
                    c.command(1, "publish", 4.0, null, key, "live");
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> lookups(node) >= FLOOD);
                Thread.sleep(500);
                assertThat(lookups(node)).as("one lookup per connection, though each published twice").isEqualTo(FLOOD);

                FfmpegJob publisher = node.publish(good[1], 4).start();
                await().atMost(Duration.ofSeconds(20)).until(() -> lookups(node) == FLOOD + 1);
                long released = System.nanoTime();
                busy.forEach(IngestTestNode::closeQuietly);
                busy.clear();
                await().atMost(Duration.ofSeconds(30)).until(() -> lookups(node) == 0);
                System.out.printf("%d key lookups answered in %d ms once the database was back%n", FLOOD + 1,
                        (System.nanoTime() - released) / 1_000_000);

                publisher.await();
            } finally {
                busy.forEach(IngestTestNode::closeQuietly);
            }
            IngestTestNode.Seen seen = node.await(good[0], 1, Duration.ofSeconds(20));
            assertThat(seen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
            assertThat(seen.media(seen.events().get(0).streamId())).hasSizeGreaterThan(100);

            for (RawRtmpClient c : flood) {
                assertThat(c.closedByServer(Duration.ofSeconds(10))).isTrue();
                String told = String.valueOf(c.receivedMessages().stream().filter(m -> m.typeId() == RtmpMessage.COMMAND_AMF0)
                        .map(m -> Amf0Decoder.decodeAll(m.payload())).toList());
                assertThat(told).contains("NetStream.Publish.BadName").doesNotContain("cannot be checked");
                c.close();
            }
            assertThat(node.meter("castpipe.ingest.publishes", "refused")).isEqualTo(FLOOD);
            assertThat(node.meter("castpipe.ingest.publishes", "accepted")).isEqualTo(1);
            assertThat(lookups(node)).isZero();
        }
    }

    private static double lookups(IngestTestNode node) {
        return node.meter("castpipe.ingest.key.lookups", null, null);
    }
}
