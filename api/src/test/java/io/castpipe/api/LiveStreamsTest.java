package io.castpipe.api;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** stream.events as ingest publishes them, seen through /api/live and /api/streams/{id}. */
class LiveStreamsTest {
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
    void aStreamIsLiveFromStartedToEndedWithWhatThePublisherDeclared() throws Exception {
        String owner = http.newUser("live-owner");
        JsonNode channel = http.post("/api/channels", owner, Map.of("name", "carol-live")).json();
        String channelId = channel.get("id").asText();
        String streamId = Ids.newId();

        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.started(streamId, channelId, "carol-live",
                "avc1", "mp4a", Map.of("width", 1280, "height", 720, "framerate", 30, "videodatarate", 2500,
                        "encoder", "obs-output module")));
        JsonNode live = await(() -> http.get("/api/live", null).json(), j -> j.findValuesAsText("streamId").contains(streamId));
        JsonNode entry = null;
        for (JsonNode n : live) {
            if (n.get("streamId").asText().equals(streamId)) {
                entry = n;
            }
        }
        assertThat(entry.get("channel").asText()).isEqualTo("carol-live");
        assertThat(entry.get("playbackUrl").asText()).endsWith("/live/carol-live/master.m3u8");
        assertThat(entry.get("viewers").asInt()).isZero();

        JsonNode stream = http.get("/api/streams/" + streamId, null).json();
        assertThat(stream.get("status").asText()).isEqualTo("live");
        assertThat(stream.get("codecs").get("video").asText()).isEqualTo("avc1");
        assertThat(stream.get("ingest").get("width").asInt()).isEqualTo(1280);
        assertThat(stream.get("ingest").get("fps").asInt()).isEqualTo(30);
        assertThat(stream.get("ingest").get("videoBitrateKbps").asInt()).isEqualTo(2500);

        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.ended(streamId, channelId, "carol-live", "publisher ended"));
        JsonNode ended = await(() -> http.get("/api/streams/" + streamId, null).json(), j -> j.get("status").asText().equals("ended"));
        assertThat(ended.get("endReason").asText()).isEqualTo("publisher ended");
        assertThat(ended.get("endedAt").isNull()).isFalse();
        assertThat(http.get("/api/live", null).json().findValuesAsText("streamId")).doesNotContain(streamId);
    }

    @Test
    void viewersAreTheSumOfTheOriginNodesFreshReports() throws Exception {
        String owner = http.newUser("viewers-owner");
        String channelId = http.post("/api/channels", owner, Map.of("name", "hana-live")).json().get("id").asText();
        String streamId = Ids.newId();
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.started(streamId, channelId, "hana-live",
                "avc1", "mp4a", Map.of()));

        // Origins report every 5 s; here every 200 ms, until the api has both.
        awaitViewers(streamId, 7, () -> {
            ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.viewers(streamId, 3, "origin-a"));
            ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.viewers(streamId, 4, "origin-b"));
        });
        assertThat(http.get("/api/streams/" + streamId, null).json().get("viewers").asInt()).isEqualTo(7);

        // origin-b goes quiet (crashed, say): its last report stops counting once it is 15 s old.
        long quiet = System.nanoTime();
        awaitViewers(streamId, 3, () -> ingest.publishDurably(Topic.STREAM_EVENTS, streamId,
                StreamEvent.viewers(streamId, 3, "origin-a")));
        assertThat(Duration.ofNanos(System.nanoTime() - quiet)).isGreaterThanOrEqualTo(Duration.ofSeconds(14));

        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.ended(streamId, channelId, "hana-live", "publisher ended"));
        JsonNode ended = await(() -> http.get("/api/streams/" + streamId, null).json(), j -> j.get("status").asText().equals("ended"));
        assertThat(ended.get("viewers").asInt()).isZero();
        assertThat(http.get("/api/live", null).json().findValuesAsText("streamId")).doesNotContain(streamId);
    }

    private interface Report {
        void send() throws Exception;
    }

    private static void awaitViewers(String streamId, int expected, Report report) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int seen = -1;
        while (System.nanoTime() < deadline) {
            report.send();
            for (JsonNode n : http.get("/api/live", null).json()) {
                if (n.get("streamId").asText().equals(streamId)) {
                    seen = n.get("viewers").asInt();
                }
            }
            if (seen == expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("viewers of " + streamId + " not " + expected + " within 30 s; last " + seen);
    }

    @Test
    void unknownOrMalformedStreamsAreJsonErrors() throws Exception {
        assertThat(http.get("/api/streams/" + Ids.newId(), null).status()).isEqualTo(404);
        assertThat(http.get("/api/streams/not-an-id", null).status()).isEqualTo(400);
    }

    private interface Fetch {
        JsonNode get() throws Exception;
    }

    private static JsonNode await(Fetch fetch, java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = fetch.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not reached within 20 s; last: " + last);
    }
}
