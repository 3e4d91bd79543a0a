package io.castpipe.api;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.events.StreamControl;
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
 * The admin removes a user: signed out at once, the channel's key dead and its live stream
 * ordered ended, every video (a broadcast's recording among them) gone with its objects, the
 * channel and the user gone; nobody else's things touched.
 */
class UserRemovalTest {
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
    void theAdminRemovesAUserAndEverythingTheirs() throws Exception {
        JsonNode created = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "removed-rob")).json();
        String userId = created.get("id").asText();
        String rob = created.get("token").asText();
        String laptop = http.post("/api/me/tokens", rob, Map.of("name", "laptop")).json().get("token").asText();
        String neighbour = http.newUser("removed-neighbour");
        JsonNode channel = http.post("/api/channels", rob, Map.of("name", "rob-live")).json();
        String channelId = channel.get("id").asText();
        String video = http.newVideo(rob, "an upload", "public");
        node.store.put(ObjectKeys.vodFile(video, "360p", "seg-0.m4s"), new byte[] {1}, "video/iso.segment");
        String kept = http.newVideo(neighbour, "not rob's", "public");
        // Rob is live: the stream's recording is a video of his too.
        String streamId = Ids.newId();
        ingest.publishDurably(Topic.STREAM_EVENTS, streamId, StreamEvent.started(streamId, channelId, "rob-live",
                "avc1", "mp4a", Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/videos/" + streamId, rob).status() == 200);
        node.store.put(ObjectKeys.liveFile(streamId, "360p", "seg-0.m4s"), new byte[] {1}, "video/iso.segment");

        assertThat(http.delete("/api/users/" + userId, neighbour).errorCode()).isEqualTo("forbidden");
        assertThat(http.delete("/api/users/" + userId, ApiTestNode.ADMIN_TOKEN).status()).isEqualTo(204);

        assertThat(http.get("/api/me", rob).status()).isEqualTo(401);
        assertThat(http.get("/api/me", laptop).status()).isEqualTo(401);
        assertThat(http.get("/api/channels/rob-live", ApiTestNode.ADMIN_TOKEN).status()).isEqualTo(404);
        for (String id : new String[] {video, streamId}) {
            assertThat(http.get("/api/videos/" + id, ApiTestNode.ADMIN_TOKEN).status()).isEqualTo(404);
            assertThat(node.accessRecord(id)).isEqualTo("{\"visibility\":\"deleted\"}");
            assertThat(node.store.list(ObjectKeys.vodPrefix(id))).isEmpty();
        }
        assertThat(node.store.list(ObjectKeys.livePrefix(streamId))).isEmpty();
        // The channel's publish is ordered ended: its key is dead, and the recording's stream too.
        assertThat(node.controlOrders(channelId, 2, Duration.ofSeconds(20)))
                .extracting(StreamControl::reason).containsExactlyInAnyOrder(StreamControl.USER_REMOVED, StreamControl.VIDEO_DELETED);
        assertThat(http.get("/api/users", ApiTestNode.ADMIN_TOKEN).json().get("items").findValuesAsText("name"))
                .doesNotContain("removed-rob").contains("removed-neighbour");
        assertThat(http.get("/api/videos/" + kept, neighbour).status()).isEqualTo(200);
        assertThat(http.get("/api/me", neighbour).status()).isEqualTo(200);
        assertThat(http.delete("/api/users/" + userId, ApiTestNode.ADMIN_TOKEN).errorCode()).isEqualTo("not_found");
    }
}
