package io.castpipe.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.events.StreamControl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Channels and their stream keys, through HTTP against a real node. */
class ChannelsTest {
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
    }

    @Test
    void aUserCreatesAChannelWithEverythingOBSAndViewersNeed() throws Exception {
        String owner = http.newUser("streamer-one");
        Response created = http.post("/api/channels", owner, Map.of("name", "alice-live", "title", "Alice", "latency", "low"));

        assertThat(created.status()).isEqualTo(201);
        var json = created.json();
        assertThat(json.get("name").asText()).isEqualTo("alice-live");
        assertThat(json.get("title").asText()).isEqualTo("Alice");
        assertThat(json.get("latency").asText()).isEqualTo("low");
        assertThat(json.get("streamKey").asText()).startsWith("live_").hasSizeGreaterThan(30);
        assertThat(json.get("rtmpUrl").asText()).matches("rtmp://[^/]+:\\d+/live");
        assertThat(json.get("playbackUrl").asText()).endsWith("/live/alice-live/master.m3u8");
        assertThat(json.get("chatUrl").asText()).matches("ws://[^/]+:\\d+/chat/alice-live");
        assertThat(storedKey("alice-live")).isEqualTo(json.get("streamKey").asText());
    }

    @Test
    void mineListsOnlyTheCallersOwnChannelsWithTheirKeys() throws Exception {
        String owner = http.newUser("streamer-mine");
        String other = http.newUser("streamer-not-mine");
        http.post("/api/channels", other, Map.of("name", "not-mine-live"));
        String key = http.post("/api/channels", owner, Map.of("name", "mine-live")).json().get("streamKey").asText();

        Response mine = http.get("/api/channels?mine=true", owner);
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.json().get("items").findValuesAsText("name")).containsExactly("mine-live");
        assertThat(mine.json().get("items").findValuesAsText("streamKey")).containsExactly(key);
        assertThat(http.get("/api/channels?mine=false", owner).json().get("items").findValuesAsText("name"))
                .contains("mine-live", "not-mine-live");

        assertThat(http.get("/api/channels?mine=true", null).status()).isEqualTo(401);
        Response admin = http.get("/api/channels?mine=true", ApiTestNode.ADMIN_TOKEN);
        assertThat(admin.status()).isEqualTo(400);
        assertThat(admin.errorCode()).isEqualTo("user_required");
        Response garbage = http.get("/api/channels?mine=1", owner);
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.errorCode()).isEqualTo("invalid_query");
    }

    @Test
    void onlyTheOwnerSeesAndRotatesTheKey() throws Exception {
        String owner = http.newUser("streamer-two");
        String other = http.newUser("viewer-two");
        String key = http.post("/api/channels", owner, Map.of("name", "bob-live")).json().get("streamKey").asText();

        assertThat(http.get("/api/channels/bob-live", null).json().has("streamKey")).isFalse();
        assertThat(http.get("/api/channels/bob-live", other).json().has("streamKey")).isFalse();
        assertThat(http.get("/api/channels/bob-live", owner).json().get("streamKey").asText()).isEqualTo(key);
        assertThat(http.get("/api/channels/bob-live", ApiTestNode.ADMIN_TOKEN).json().get("streamKey").asText()).isEqualTo(key);
        assertThat(http.get("/api/channels", null).json().get("items").findValues("streamKey")).isEmpty();

        assertThat(http.post("/api/channels/bob-live/stream-key", other, Map.of()).status()).isEqualTo(403);
        assertThat(http.post("/api/channels/bob-live/stream-key", null, Map.of()).status()).isEqualTo(401);
        Response rotated = http.post("/api/channels/bob-live/stream-key", owner, Map.of());
        assertThat(rotated.status()).isEqualTo(200);
        String newKey = rotated.json().get("streamKey").asText();
        assertThat(newKey).isNotEqualTo(key).startsWith("live_");
        assertThat(storedKey("bob-live")).isEqualTo(newKey);

        // The ingest nodes are told to end whatever is live with the old key.
        String channelId = http.get("/api/channels/bob-live", null).json().get("id").asText();
        List<StreamControl> orders = node.controlOrders(channelId, 1, Duration.ofSeconds(20));
        assertThat(orders).hasSize(1);
        assertThat(orders.get(0).type()).isEqualTo(StreamControl.Type.END);
        assertThat(orders.get(0).channelId()).isEqualTo(channelId);
        assertThat(orders.get(0).streamId()).isNull();
        assertThat(orders.get(0).reason()).isEqualTo(StreamControl.KEY_ROTATED);
        assertThat(orders.get(0).at()).isNotNull();
        // Refused rotations order nothing.
        assertThat(node.controlOrders(channelId, 2, Duration.ofSeconds(2))).hasSize(1);
    }

    @Test
    void badChannelRequestsAreJsonErrors() throws Exception {
        String owner = http.newUser("streamer-three");
        http.post("/api/channels", owner, Map.of("name", "taken-name"));
        assertThat(http.post("/api/channels", owner, Map.of("name", "taken-name")).errorCode()).isEqualTo("name_taken");
        assertThat(http.post("/api/channels", owner, Map.of("name", "Has Spaces")).status()).isEqualTo(400);
        assertThat(http.post("/api/channels", owner, Map.of("name", "../etc")).status()).isEqualTo(400);
        assertThat(http.post("/api/channels", owner, Map.of("name", "okname", "latency", "instant")).status()).isEqualTo(400);
        assertThat(http.post("/api/channels", null, Map.of("name", "anon-chan")).status()).isEqualTo(401);
        assertThat(http.post("/api/channels", ApiTestNode.ADMIN_TOKEN, Map.of("name", "admin-chan")).errorCode())
                .isEqualTo("user_required");
        assertThat(http.get("/api/channels/no-such-channel", null).status()).isEqualTo(404);
        assertThat(http.get("/api/channels/%2e%2e", null).status()).isEqualTo(404);
    }

    private static String storedKey(String channel) throws Exception {
        try (Connection c = node.database.connection();
             PreparedStatement ps = c.prepareStatement("SELECT stream_key FROM channels WHERE name = ?")) {
            ps.setString(1, channel);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
