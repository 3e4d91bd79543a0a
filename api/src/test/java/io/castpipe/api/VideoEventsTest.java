package io.castpipe.api;

import io.castpipe.common.TestServices;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.events.VideoEventsConsumer;
import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.VideosApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** video.events, as a transcoder publishes them, move the video's status the API reports. */
class VideoEventsTest {
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static EventPublisher publisher;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
        publisher = new EventPublisher(node.kafka, node.topics, "test-transcoder");
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafka().bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        publisher.close();
        admin.close();
    }

    @Test
    void aVideoGoesFromQueuedThroughProcessingToReadyAndStaysThere() throws Exception {
        String token = http.newUser("events-ready");
        String id = queuedVideo(token, "public");

        publish(VideoEvent.processing(id));
        JsonNode processing = awaitStatus(token, id, "processing");
        assertThat(processing.get("progress").asDouble()).isZero();

        publish(VideoEvent.progress(id, 0.5));
        await().atMost(Duration.ofSeconds(20)).until(() -> video(token, id).get("progress").asDouble() == 0.5);

        SourceInfo source = new SourceInfo("mov,mp4,m4a,3gp,3g2,mj2", 12.5, 1920, 1080, 0, 30, "h264", "yuv420p", "aac",
                5_000_000, 7_812_500);
        List<RenditionInfo> ladder = List.of(
                new RenditionInfo("1080p", 1920, 1080, 5_500_000, 5_000_000, "avc1.640028,mp4a.40.2", 30),
                new RenditionInfo("360p", 640, 360, 900_000, 800_000, "avc1.4d401e,mp4a.40.2", 30));
        publish(VideoEvent.ready(id, 12.5, source, ladder));
        JsonNode ready = awaitStatus(token, id, "ready");
        assertThat(ready.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(ready.get("durationSeconds").asDouble()).isEqualTo(12.5);
        assertThat(ready.get("source").get("width").asInt()).isEqualTo(1920);
        assertThat(ready.get("source").get("videoCodec").asText()).isEqualTo("h264");
        assertThat(ready.get("renditions")).hasSize(2);
        JsonNode top = ready.get("renditions").get(0);
        assertThat(fieldNames(top)).containsExactly("name", "width", "height", "bandwidth");
        assertThat(top.get("name").asText()).isEqualTo("1080p");
        assertThat(top.get("bandwidth").asLong()).isEqualTo(5_500_000);
        assertThat(ready.get("playbackUrl").asText()).isEqualTo(node.baseUrl + "/vod/" + id + "/master.m3u8");
        assertThat(ready.get("posterUrl").asText()).isEqualTo(node.baseUrl + "/vod/" + id + "/thumbs/poster.jpg");
        assertThat(ready.get("storyboardUrl").asText()).isEqualTo(node.baseUrl + "/vod/" + id + "/thumbs/storyboard.vtt");

        // Late news from a slow or repeated worker does not move a ready video back.
        publishAndAwaitConsumed(VideoEvent.progress(id, 0.2));
        publishAndAwaitConsumed(VideoEvent.processing(id));
        publishAndAwaitConsumed(VideoEvent.failed(id, "late", "a duplicate job failed"));
        JsonNode still = video(token, id);
        assertThat(still.get("status").asText()).isEqualTo("ready");
        assertThat(still.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(still.has("error")).isFalse();
        assertError(http.request("PUT", "/api/videos/" + id + "/source").token(token).body(new byte[10]).send(),
                409, "invalid_state");
    }

    @Test
    void aFailedVideoSaysWhyIgnoresLateProgressAndIsRestartedByANewUpload() throws Exception {
        String token = http.newUser("events-failed");
        String id = queuedVideo(token, "public");
        publish(VideoEvent.processing(id));
        awaitStatus(token, id, "processing");

        publish(VideoEvent.failed(id, "no_video_stream", "The file has no video stream; upload a video file."));
        JsonNode failed = awaitStatus(token, id, "failed");
        assertThat(failed.get("error").get("code").asText()).isEqualTo("no_video_stream");
        assertThat(failed.get("error").get("message").asText()).isEqualTo("The file has no video stream; upload a video file.");
        assertThat(failed.get("playbackUrl").isNull()).isTrue();

        publishAndAwaitConsumed(VideoEvent.progress(id, 0.9));
        assertThat(video(token, id).get("status").asText()).isEqualTo("failed");

        HttpTestClient.Response again = http.request("PUT", "/api/videos/" + id + "/source").token(token)
                .body("a better file".getBytes()).send();
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("status").asText()).isEqualTo("queued");
        assertThat(again.json().has("error")).isFalse();
        publish(VideoEvent.processing(id));
        awaitStatus(token, id, "processing");
    }

    @Test
    void aPrivateReadyVideoGivesItsOwnerSignedPlaybackUrls() throws Exception {
        String token = http.newUser("events-private");
        String id = queuedVideo(token, "private");
        publish(VideoEvent.ready(id, 3, null, List.of(new RenditionInfo("360p", 640, 360, 800_000, 700_000, "avc1", 25))));
        JsonNode ready = awaitStatus(token, id, "ready");

        for (JsonNode v : List.of(ready, video(ApiTestNode.ADMIN_TOKEN, id))) {
            for (String field : List.of("playbackUrl", "posterUrl", "storyboardUrl")) {
                URI url = URI.create(v.get(field).asText());
                assertThat(url.getPath()).startsWith("/vod/" + id + "/");
                assertThat(url.getQuery()).startsWith("token=");
                String playbackToken = url.getQuery().substring("token=".length());
                PlaybackTokens tokens = new PlaybackTokens(ApiTestNode.SIGNING_SECRET);
                assertThat(tokens.verify(id, playbackToken, Instant.now())).isTrue();
                assertThat(tokens.verify(id, playbackToken, Instant.now().plus(Duration.ofHours(7)))).isFalse();
                assertThat(tokens.verify("0123456789abcdef", playbackToken, Instant.now())).isFalse();
            }
        }
        assertError(http.get("/api/videos/" + id, null), 404, "not_found");
        assertError(http.get("/api/videos/" + id, http.newUser("events-private-other")), 404, "not_found");
    }

    @Test
    void unreadableRecordsAreSkippedWithoutHoldingUpTheRest() throws Exception {
        String token = http.newUser("events-garbage");
        String id = queuedVideo(token, "public");
        publisher.publish(Topic.VIDEO_EVENTS, id, "not an event").get(10, TimeUnit.SECONDS);
        publisher.publish(Topic.VIDEO_EVENTS, id, Map.of("type", "READY")).get(10, TimeUnit.SECONDS);
        publish(VideoEvent.processing(id));
        awaitStatus(token, id, "processing");
    }

    /** A video whose source was uploaded (PUT source), so it is queued. */
    private static String queuedVideo(String token, String visibility) throws Exception {
        String id = http.newVideo(token, "events", visibility);
        HttpTestClient.Response r = http.request("PUT", "/api/videos/" + id + "/source").token(token)
                .body("not really a video".getBytes()).send();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("queued");
        return id;
    }

    private static RecordMetadata publish(VideoEvent event) throws Exception {
        return publisher.publish(Topic.VIDEO_EVENTS, event.videoId(), event).get(10, TimeUnit.SECONDS);
    }

    /** Publishes and waits until the api's consumer group has committed past the record. */
    private static void publishAndAwaitConsumed(VideoEvent event) throws Exception {
        RecordMetadata m = publish(event);
        TopicPartition partition = new TopicPartition(m.topic(), m.partition());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(VideoEventsConsumer.GROUP_ID).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata o = committed.get(partition);
            return o != null && o.offset() > m.offset();
        });
    }

    private static JsonNode awaitStatus(String token, String id, String status) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> video(token, id).get("status").asText().equals(status));
        return video(token, id);
    }

    private static JsonNode video(String token, String id) throws Exception {
        HttpTestClient.Response r = http.get("/api/videos/" + id, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
