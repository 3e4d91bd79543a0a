package io.castpipe.api;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broadcast's chat replayed beside its recording: MESSAGE and DELETE records published on the
 * chat topic as a chat node would, read back through GET /api/videos/{id}/chat by stream time.
 */
class ChatReplayTest {
    /** The broadcast ran 10 minutes, two hours ago. */
    private static final Instant START = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    private static final Instant END = START.plusSeconds(600);

    private static ApiTestNode node;
    private static HttpTestClient http;
    private static EventPublisher kafka;
    private static String owner;
    private static String videoId;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
        kafka = new EventPublisher(node.kafka, node.topics, "test-chat-node");
        owner = http.newUser("replay-owner");
        String channelId = http.post("/api/channels", owner, Map.of("name", "replay-room")).json().get("id").asText();
        http.post("/api/channels", http.newUser("replay-other"), Map.of("name", "replay-other"));
        videoId = Ids.newId();
        kafka.publishDurably(Topic.STREAM_EVENTS, videoId, new StreamEvent(videoId, channelId, "replay-room",
                StreamEvent.Type.STARTED, START, "avc1", "mp4a", Map.of(), null, null, null, null, null));
        kafka.publishDurably(Topic.STREAM_EVENTS, videoId, new StreamEvent(videoId, channelId, "replay-room",
                StreamEvent.Type.ENDED, END, null, null, null, "publisher ended", null, null, null, null));
        await("the stream ended", () -> http.get("/api/streams/" + videoId, null),
                r -> r.status() == 200 && r.json().get("status").asText().equals("ended"));

        say("replay-room", "early", 0, -5, "before the stream");
        say("replay-room", "m1", 1, 1, "hello");
        say("replay-room", "m1", 1, 1, "hello"); // delivered twice
        say("replay-room", "m2", 2, 2.5, "hi there");
        say("replay-room", "gone", 3, 10, "something rude");
        say("replay-other", "elsewhere", 1, 5, "another channel");
        kafka.publishDurably(Topic.CHAT, "replay-room", ChatEvent.ban("replay-room", "u3", true, "owner", "chat-a"));
        kafka.publishDurably(Topic.CHAT, "replay-room", ChatEvent.delete("replay-room", "gone", "owner", "chat-a"));
        say("replay-room", "gone", 3, 10, "something rude"); // delivered again after its deletion
        say("replay-room", "m3", 1, 61, "a minute in");
        say("replay-room", "m4", 2, 120, "two minutes");
        say("replay-room", "m5a", 1, 300, "same instant, first");
        say("replay-room", "m5b", 2, 300, "same instant, second");
        say("replay-room", "late", 1, 601, "after the end");
        say("replay-room", "m6", 2, 599, "last words");
        // Records of one channel are applied in order: once the last is there, all are.
        await("the last message kept", () -> http.get("/api/videos/" + videoId + "/chat?from=599", owner),
                r -> r.status() == 200 && r.json().get("items").size() == 1);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static void say(String channel, String id, int user, double offsetSeconds, String text) {
        kafka.publishDurably(Topic.CHAT, channel, new ChatEvent(ChatEvent.Type.MESSAGE, channel, id, "u" + user,
                "user " + user, text, null, null, null, START.plusMillis((long) (offsetSeconds * 1000)), "chat-a"));
    }

    @Test
    void theBroadcastsChatIsReplayedByStreamTimeWithoutDeletedOnes() throws Exception {
        JsonNode all = replay("");
        assertThat(ids(all)).containsExactly("m1", "m2", "m3", "m4", "m5a", "m5b", "m6");
        assertThat(all.has("nextFrom")).isFalse();
        JsonNode first = all.get("items").get(0);
        assertThat(first.get("user").asText()).isEqualTo("user 1");
        assertThat(first.get("userId").asText()).isEqualTo("u1");
        assertThat(first.get("text").asText()).isEqualTo("hello");
        assertThat(Instant.parse(first.get("ts").asText())).isEqualTo(START.plusSeconds(1));
        assertThat(all.get("items").findValuesAsText("offsetSeconds"))
                .containsExactly("1.0", "2.5", "61.0", "120.0", "300.0", "300.0", "599.0");

        assertThat(ids(replay("?from=2&to=120"))).as("to is excluded").containsExactly("m2", "m3");
        assertThat(ids(replay("?from=2.5&to=61.000001"))).containsExactly("m2", "m3");
        assertThat(ids(replay("?from=120"))).containsExactly("m4", "m5a", "m5b", "m6");
        assertThat(ids(replay("?to=2"))).containsExactly("m1");
        assertThat(ids(replay("?from=600"))).isEmpty();
        assertThat(ids(replay("?from=61&to=61"))).isEmpty();
    }

    @Test
    void longChatsComeInPagesThatLoseAndRepeatNothing() throws Exception {
        List<String> seen = new ArrayList<>();
        List<Double> starts = new ArrayList<>();
        String from = "0";
        for (int pages = 0; from != null && pages < 10; pages++) {
            JsonNode page = replay("?limit=2&from=" + from);
            assertThat(page.get("items").size()).isBetween(1, 2);
            seen.addAll(ids(page));
            starts.add(Double.parseDouble(from));
            from = page.has("nextFrom") ? page.get("nextFrom").asText() : null;
        }
        assertThat(seen).containsExactly("m1", "m2", "m3", "m4", "m5a", "m5b", "m6");
        assertThat(starts).containsExactly(0.0, 61.0, 300.0, 599.0);

        // A page does not end between m5a and m5b, sent at one instant: the next one starts there.
        JsonNode shortPage = replay("?from=120&limit=2");
        assertThat(ids(shortPage)).containsExactly("m4");
        assertThat(shortPage.get("nextFrom").asDouble()).isEqualTo(300.0);
        assertThat(ids(replay("?from=300&limit=2"))).containsExactly("m5a", "m5b");

        JsonNode first = replay("?limit=3");
        assertThat(ids(first)).containsExactly("m1", "m2", "m3");
        assertThat(first.get("nextFrom").asDouble()).isEqualTo(120.0);
    }

    @Test
    void theChatIsAsPrivateAsTheVideo() throws Exception {
        assertThat(http.get("/api/videos/" + videoId + "/chat", null).status()).isEqualTo(200);
        assertThat(http.patch("/api/videos/" + videoId, owner, Map.of("visibility", "private")).status()).isEqualTo(200);
        try {
            assertThat(http.get("/api/videos/" + videoId + "/chat", null).status()).isEqualTo(404);
            assertThat(http.get("/api/videos/" + videoId + "/chat", http.newUser("replay-stranger")).status())
                    .isEqualTo(404);
            assertThat(ids(http.get("/api/videos/" + videoId + "/chat", ApiTestNode.ADMIN_TOKEN).json())).hasSize(7);
            assertThat(ids(http.get("/api/videos/" + videoId + "/chat", owner).json())).hasSize(7);
        } finally {
            http.patch("/api/videos/" + videoId, owner, Map.of("visibility", "public"));
        }
    }

    @Test
    void anUploadedVideoHasNoChatAndBadQueriesAreJsonErrors() throws Exception {
        String uploaded = http.newVideo(owner, "not a broadcast", "public");
        Response none = http.get("/api/videos/" + uploaded + "/chat", null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("items")).isEmpty();

        assertThat(http.get("/api/videos/" + Ids.newId() + "/chat", null).status()).isEqualTo(404);
        assertThat(http.get("/api/videos/not-an-id/chat", null).errorCode()).isEqualTo("bad_id");
        for (String query : List.of("?from=abc", "?from=-1", "?to=-0.5", "?from=10&to=5", "?from=NaN", "?to=Infinity",
                "?from=1e", "?from=" + "9".repeat(40), "?limit=0", "?limit=x")) {
            Response r = http.get("/api/videos/" + videoId + "/chat" + query, null);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.errorCode()).as(query).isEqualTo("invalid_query");
        }
        assertThat(ids(replay("?from=1e9"))).as("far beyond the end").isEmpty();
    }

    private static JsonNode replay(String query) throws Exception {
        Response r = http.get("/api/videos/" + videoId + "/chat" + query, null);
        assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
        return r.json();
    }

    private static List<String> ids(JsonNode page) {
        return page.get("items").findValuesAsText("id");
    }

    private interface Fetch {
        Response get() throws Exception;
    }

    private interface Check {
        boolean done(Response r) throws Exception;
    }

    private static void await(String what, Fetch fetch, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = fetch.get();
            if (check.done(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + ": not within 30 s; last " + (last == null ? null : last.body()));
    }
}
