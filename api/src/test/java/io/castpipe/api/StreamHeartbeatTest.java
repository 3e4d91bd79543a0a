package io.castpipe.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A live stream whose ingest process died (it sends no ENDED) is ended within 10 s of its last
 * ALIVE, for every role, while a stream whose ingest keeps saying ALIVE stays live.
 */
class StreamHeartbeatTest {
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static EventPublisher ingest;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
        ingest = new EventPublisher(node.kafka, node.topics, "test-ingest");
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    @Test
    void aStreamWhoseIngestFellSilentEndsWithinTenSecondsAndOneStillHeardStaysLive() throws Exception {
        String owner = http.newUser("heartbeat-owner");
        String lostChannel = http.post("/api/channels", owner, Map.of("name", "lost-ingest")).json().get("id").asText();
        String keptChannel = http.post("/api/channels", owner, Map.of("name", "kept-ingest")).json().get("id").asText();
        String lost = Ids.newId();
        String kept = Ids.newId();
        ingest.publishDurably(Topic.STREAM_EVENTS, lost, StreamEvent.started(lost, lostChannel, "lost-ingest", "avc1", "mp4a", Map.of()));
        ingest.publishDurably(Topic.STREAM_EVENTS, kept, StreamEvent.started(kept, keptChannel, "kept-ingest", "avc1", "mp4a", Map.of()));
        ScheduledExecutorService ingestNode = Executors.newSingleThreadScheduledExecutor();
        List<String> silenced = new CopyOnWriteArrayList<>();
        ingestNode.scheduleAtFixedRate(() -> {
            for (String[] s : new String[][] {{lost, lostChannel}, {kept, keptChannel}}) {
                if (!silenced.contains(s[0])) {
                    ingest.publish(Topic.STREAM_EVENTS, s[0], StreamEvent.alive(s[0], s[1]));
                }
            }
        }, 0, StreamEvent.ALIVE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        try (KafkaConsumer<String, byte[]> origin = endedReader()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> liveIds().containsAll(List.of(lost, kept)));
            Thread.sleep(5000); // both heard of a few times

            ingest.publishDurably(Topic.STREAM_EVENTS, lost, StreamEvent.alive(lost, lostChannel));
            silenced.add(lost);
            long lastWord = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> !liveIds().contains(lost));
            double endedAfter = (System.nanoTime() - lastWord) / 1e9;
            System.out.printf("stream with a silent ingest ended %.1f s after its last ALIVE%n", endedAfter);

            assertThat(endedAfter).as("ended within 10 s of its ingest's last word").isLessThan(10);
            JsonNode stream = http.get("/api/streams/" + lost, owner).json();
            assertThat(stream.get("status").asText()).isEqualTo("ended");
            assertThat(stream.get("endReason").asText()).isEqualTo("ingest_lost");
            assertThat(liveIds()).as("the stream still heard of").contains(kept);
            StreamEvent ended = awaitEnded(origin, lost);
            assertThat(ended.channelName()).as("what the origins and chat nodes need").isEqualTo("lost-ingest");
            assertThat(ended.reason()).isEqualTo("ingest_lost");
        } finally {
            ingestNode.shutdownNow();
        }
    }

    private static List<String> liveIds() throws Exception {
        return http.get("/api/live", null).json().findValuesAsText("streamId");
    }

    private static KafkaConsumer<String, byte[]> endedReader() {
        Properties p = node.kafka.consumer("test-heartbeat-" + Ids.newId());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(node.topics.name(Topic.STREAM_EVENTS)));
        c.poll(Duration.ofSeconds(5));
        return c;
    }

    private static StreamEvent awaitEnded(KafkaConsumer<String, byte[]> reader, String streamId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                StreamEvent e = EventCodec.decode(r.value(), StreamEvent.class);
                if (streamId.equals(e.streamId()) && e.type() == StreamEvent.Type.ENDED) {
                    return e;
                }
            }
        }
        throw new AssertionError("no ENDED on stream.events for " + streamId);
    }
}
