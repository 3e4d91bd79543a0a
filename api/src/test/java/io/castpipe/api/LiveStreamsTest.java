package io.castpipe.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.events.IngestFigures;
import io.castpipe.common.events.LadderFigures;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
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
    void aStreamIsLiveFromStartedToEndedWithWhatThePublisherDeclaredAndWhatIngestMeasured() throws Exception {
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

        // Anyone sees that it is live; what the encoder sends and declares is for its owner and the admin.
        JsonNode seen = http.get("/api/streams/" + streamId, null).json();
        assertThat(seen.get("status").asText()).isEqualTo("live");
        assertThat(seen.has("ingest") || seen.has("declared") || seen.has("warnings") || seen.has("ladder")).as(seen.toString()).isFalse();
        assertThat(http.get("/api/streams/" + streamId, http.newUser("live-stranger")).json().has("declared")).isFalse();
        assertThat(http.get("/api/streams/" + streamId, ApiTestNode.ADMIN_TOKEN).json().has("declared")).isTrue();
        JsonNode stream = http.get("/api/streams/" + streamId, owner).json();
        assertThat(stream.get("status").asText()).isEqualTo("live");
        assertThat(stream.get("codecs").get("video").asText()).isEqualTo("avc1");
        assertThat(stream.get("declared").get("width").asInt()).isEqualTo(1280);
        assertThat(stream.get("declared").get("fps").asInt()).isEqualTo(30);
        assertThat(stream.get("declared").get("videoBitrateKbps").asInt()).isEqualTo(2500);
        assertThat(stream.get("declared").get("encoder").asText()).isEqualTo("obs-output module");
        // nothing measured yet: the shape is there, the figures are null
        assertThat(stream.get("ingest").get("videoCodec").asText()).isEqualTo("avc1");
        assertThat(stream.get("ingest").get("fps").isNull()).isTrue();
        assertThat(stream.get("ingest").get("measuredAt").isNull()).isTrue();
        assertThat(stream.get("warnings")).isEmpty();

        Instant t0 = Instant.parse("2026-11-30T08:00:00Z");
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.stats(streamId, channelId, "carol-live",
                new IngestFigures(t0, 10, 2480, 128, 29.97, 1.001, 1.001, 1280, 720)));
        JsonNode measured = await(() -> http.get("/api/streams/" + streamId, owner).json(),
                j -> !j.get("ingest").get("measuredAt").isNull());
        JsonNode figures = measured.get("ingest");
        assertThat(figures.get("videoBitrateKbps").asInt()).isEqualTo(2480);
        assertThat(figures.get("audioBitrateKbps").asInt()).isEqualTo(128);
        assertThat(figures.get("fps").asDouble()).isEqualTo(29.97);
        assertThat(figures.get("keyframeIntervalSeconds").asDouble()).isEqualTo(1.001);
        assertThat(figures.get("maxKeyframeIntervalSeconds").asDouble()).isEqualTo(1.001);
        assertThat(figures.get("width").asInt()).isEqualTo(1280);
        assertThat(figures.get("height").asInt()).isEqualTo(720);
        assertThat(figures.get("audioCodec").asText()).isEqualTo("mp4a");
        assertThat(figures.get("measuredAt").asText()).isEqualTo(t0.toString());
        assertThat(measured.get("warnings")).as("1 s keyframes fit the default 1 s segments").isEmpty();

        // The streamer changes the keyframe interval to 5 s, and the frame rate drops.
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.stats(streamId, channelId, "carol-live",
                new IngestFigures(t0.plusSeconds(5), 10, 2400, 128, 21.5, 5.0, 5.0, 1280, 720)));
        JsonNode warned = await(() -> http.get("/api/streams/" + streamId, owner).json(), j -> j.get("warnings").size() == 2);
        assertThat(warned.get("warnings").findValuesAsText("code")).containsExactly("keyframe_interval", "low_frame_rate");
        assertThat(warned.get("warnings").get(0).get("message").asText())
                .contains("every 5 s", "1 s live segments", "Keyframe Interval = 1 s", "-g 22 at 21.5 fps");
        assertThat(warned.get("warnings").get(1).get("message").asText()).contains("declares 30 fps but sends 21.5");

        // The transcoder says how it encodes the ladder: shed onto ultrafast, half a second behind.
        assertThat(warned.get("ladder").get("preset").isNull()).as("nothing said yet").isTrue();
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.ladder(streamId, channelId,
                new LadderFigures(t0.plusSeconds(6), "ultrafast", "veryfast", "fewer-rungs", List.of("720p", "480p"), false, 0.5,
                        t0.plusSeconds(4), 0.31, null), "transcoder-1"));
        JsonNode ladder = await(() -> http.get("/api/streams/" + streamId, owner).json(),
                j -> !j.get("ladder").get("preset").isNull()).get("ladder");
        assertThat(ladder.get("preset").asText()).isEqualTo("ultrafast");
        assertThat(ladder.get("configuredPreset").asText()).isEqualTo("veryfast");
        assertThat(ladder.get("shed").asBoolean()).isTrue();
        assertThat(ladder.get("step").asText()).isEqualTo("fewer-rungs");
        assertThat(ladder.get("sourceRenditions").toString()).isEqualTo("[\"720p\",\"480p\"]");
        assertThat(ladder.get("switching").asBoolean()).isFalse();
        assertThat(ladder.get("behindSeconds").asDouble()).isEqualTo(0.5);
        assertThat(ladder.get("since").asText()).isEqualTo(t0.plusSeconds(4).toString());
        assertThat(ladder.get("cpuCores").asDouble()).isEqualTo(0.31);
        assertThat(ladder.get("heldBy").isNull()).as("shed for falling behind, not held by the budget").isTrue();
        assertThat(http.get("/api/streams/" + streamId, null).json().has("ladder")).as("the streamer's alone").isFalse();

        // A replayed older record does not bring old figures back.
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.stats(streamId, channelId, "carol-live",
                new IngestFigures(t0.plusSeconds(1), 10, 1000, 128, 30.0, 0.5, 0.5, 1280, 720)));

        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.ended(streamId, channelId, "carol-live", "publisher ended"));
        JsonNode ended = await(() -> http.get("/api/streams/" + streamId, owner).json(), j -> j.get("status").asText().equals("ended"));
        assertThat(ended.get("endReason").asText()).isEqualTo("publisher ended");
        assertThat(ended.get("endedAt").isNull()).isFalse();
        // the last figures stay with the ended stream
        assertThat(ended.get("ingest").get("measuredAt").asText()).isEqualTo(t0.plusSeconds(5).toString());
        assertThat(ended.get("warnings").findValuesAsText("code")).containsExactly("keyframe_interval", "low_frame_rate");

        // The stream becomes a video: playable when the transcoder says so, without the thumbnails only an upload's transcode makes.
        ingest.publishDurably(Topic.VIDEO_EVENTS, streamId, VideoEvent.ready(streamId, 10, null,
                List.of(new RenditionInfo("360p", 640, 360, 800_000, 700_000, "avc1", 30))));
        JsonNode recording = await(() -> http.get("/api/videos/" + streamId, null).json(),
                j -> j.path("status").asText().equals("ready"));
        assertThat(recording.get("playbackUrl").asText()).endsWith("/vod/" + streamId + "/master.m3u8");
        assertThat(recording.get("posterUrl").isNull()).as("a recording has no poster").isTrue();
        assertThat(recording.get("storyboardUrl").isNull()).as("nor a storyboard").isTrue();
        assertThat(http.get("/api/live", null).json().findValuesAsText("streamId")).doesNotContain(streamId);
    }

    @Test
    void aStreamsRecordingIsPublicFromItsStartAndDeletingItTakesTheStreamsObjectsForGood() throws Exception {
        String owner = http.newUser("recording-owner");
        String channelId = http.post("/api/channels", owner, Map.of("name", "ruth-live")).json().get("id").asText();
        String streamId = Ids.newId();
        StreamEvent started = StreamEvent.started(streamId, channelId, "ruth-live", "avc1", "mp4a", Map.of());
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, started);
        JsonNode recording = await(() -> http.get("/api/videos/" + streamId, owner).json(), j -> j.has("id"));
        assertThat(recording.get("visibility").asText()).isEqualTo("public");
        assertThat(node.accessRecord(streamId)).as("written before the row").isEqualTo("{\"visibility\":\"public\"}");

        // The transcoder's live objects and the recording made of them.
        node.store.put(ObjectKeys.liveFile(streamId, "360p", "seg-0.m4s"), new byte[] {1}, "video/iso.segment");
        node.store.put(ObjectKeys.liveFile(streamId, "360p", "vod.m3u8"), "#EXTM3U\n".getBytes(), "application/vnd.apple.mpegurl");
        node.store.put(ObjectKeys.vodFile(streamId, "360p", "seg-0.m4s"), new byte[] {1}, "video/iso.segment");
        assertThat(http.delete("/api/videos/" + streamId, owner).status()).isEqualTo(204);
        assertThat(node.accessRecord(streamId)).isEqualTo("{\"visibility\":\"deleted\"}");
        assertThat(node.store.list(ObjectKeys.vodPrefix(streamId))).isEmpty();
        assertThat(node.store.list(ObjectKeys.livePrefix(streamId))).isEmpty();
        // The stream, if still live, is ordered ended.
        assertThat(node.controlOrders(channelId, 1, Duration.ofSeconds(20))).singleElement().satisfies(order -> {
            assertThat(order.streamId()).isEqualTo(streamId);
            assertThat(order.reason()).isEqualTo(StreamControl.VIDEO_DELETED);
        });

        // STARTED read again (a consumer that restarted before committing) does not bring it back.
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, started);
        String later = Ids.newId();
        ingest.publishDurably(Topic.STREAM_EVENTS, later, StreamEvent.started(later, channelId, "ruth-live", "avc1", "mp4a", Map.of()));
        await(() -> http.get("/api/videos/" + later, owner).json(), j -> j.has("id"));
        assertThat(http.get("/api/videos/" + streamId, owner).status()).isEqualTo(404);
        assertThat(node.accessRecord(streamId)).isEqualTo("{\"visibility\":\"deleted\"}");
    }

    /**
     * Records on one partition, read in order: a stream on a channel whose title is as long as
     * titles go, then records the database refuses as data (a codec longer than its column, a time
     * beyond any timestamp column, on PostgreSQL a time beyond its range), then a stream after them.
     */
    @Test
    void aStreamEventTheDatabaseRefusesIsPassedOverAndTheStreamsAfterItAreKept() throws Exception {
        String owner = http.newUser("long-title-owner");
        String title = "Ü".repeat(200);
        String channelId = http.post("/api/channels", owner, Map.of("name", "tess-live", "title", title)).json().get("id").asText();
        String first = Ids.newId();
        String refused = Ids.newId();
        String later = Ids.newId();
        // Started on a whole minute: the title still shows its seconds (":00").
        Instant onTheMinute = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        ingest.publishDurably(Topic.STREAM_EVENTS, first, new StreamEvent(first, channelId, "tess-live", StreamEvent.Type.STARTED,
                onTheMinute, "avc1", "mp4a", Map.of(), null, null, null, null, null));
        ingest.publishDurably(Topic.STREAM_EVENTS, first, StreamEvent.started(refused, channelId, "tess-live",
                "avc1." + "6".repeat(40), "mp4a", Map.of()));
        ingest.publishDurably(Topic.STREAM_EVENTS, first, StreamEvent.stats(refused, channelId, "tess-live",
                new IngestFigures(Instant.MAX, 10, 2480, 128, 30.0, 1.0, 1.0, 1280, 720)));
        ingest.publishDurably(Topic.STREAM_EVENTS, first, new StreamEvent(refused, channelId, "tess-live",
                StreamEvent.Type.ENDED, Instant.parse("+300000-01-01T00:00:00Z"), null, null, null, "from afar", null, null, null, null));
        ingest.publishDurably(Topic.STREAM_EVENTS, first, StreamEvent.started(later, channelId, "tess-live", "avc1", "mp4a",
                Map.of()));

        await(() -> http.get("/api/streams/" + later, null).json(), j -> j.path("status").asText().equals("live"));
        String recordingTitle = http.get("/api/videos/" + first, owner).json().get("title").asText();
        assertThat(recordingTitle).hasSize(200).startsWith("ÜÜÜ").endsWith(" — live "
                + java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm").withZone(java.time.ZoneOffset.UTC).format(onTheMinute)
                + ":00 UTC");
        assertThat(http.get("/api/streams/" + first, null).json().get("status").asText()).isEqualTo("live");
        assertThat(http.get("/api/streams/" + refused, null).status()).isEqualTo(404);
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
    void theOwnerOrTheAdminEndsALiveStreamThroughTheIngestNodes() throws Exception {
        String owner = http.newUser("ending-owner");
        String other = http.newUser("ending-other");
        String channelId = http.post("/api/channels", owner, Map.of("name", "ida-live")).json().get("id").asText();
        String streamId = Ids.newId();
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.started(streamId, channelId, "ida-live",
                "avc1", "mp4a", Map.of()));
        await(() -> http.get("/api/streams/" + streamId, null).json(), j -> j.path("status").asText().equals("live"));

        assertThat(http.post("/api/streams/" + streamId + "/end", null, Map.of()).status()).isEqualTo(401);
        assertThat(http.post("/api/streams/" + streamId + "/end", other, Map.of()).status()).isEqualTo(403);
        assertThat(http.post("/api/streams/" + Ids.newId() + "/end", owner, Map.of()).status()).isEqualTo(404);
        assertThat(http.post("/api/streams/not-an-id/end", owner, Map.of()).status()).isEqualTo(400);
        assertThat(node.controlOrders(channelId, 1, Duration.ofSeconds(2))).as("refused requests order nothing").isEmpty();

        HttpTestClient.Response byOwner = http.post("/api/streams/" + streamId + "/end", owner, Map.of());
        assertThat(byOwner.status()).isEqualTo(202);
        assertThat(byOwner.json().get("status").asText()).isEqualTo("ending");
        assertThat(http.post("/api/streams/" + streamId + "/end", ApiTestNode.ADMIN_TOKEN, Map.of()).status()).isEqualTo(202);
        List<StreamControl> orders = node.controlOrders(channelId, 2, Duration.ofSeconds(20));
        assertThat(orders).extracting(StreamControl::type).containsExactly(StreamControl.Type.END, StreamControl.Type.END);
        assertThat(orders).extracting(StreamControl::streamId).containsExactly(streamId, streamId);
        assertThat(orders).extracting(StreamControl::channelId).containsExactly(channelId, channelId);
        assertThat(orders).extracting(StreamControl::reason)
                .containsExactly(StreamControl.ENDED_BY_OWNER, StreamControl.ENDED_BY_ADMIN);

        // Ingest ends it; then there is nothing left to end.
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.ended(streamId, channelId, "ida-live",
                StreamControl.ENDED_BY_OWNER));
        JsonNode ended = await(() -> http.get("/api/streams/" + streamId, owner).json(), j -> j.get("status").asText().equals("ended"));
        assertThat(ended.get("endReason").asText()).isEqualTo(StreamControl.ENDED_BY_OWNER);
        HttpTestClient.Response late = http.post("/api/streams/" + streamId + "/end", owner, Map.of());
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.errorCode()).isEqualTo("not_live");
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
