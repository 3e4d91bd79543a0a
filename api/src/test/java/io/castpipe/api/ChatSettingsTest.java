package io.castpipe.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.kafka.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A channel's blocked words: stored, read back, and announced to the chat nodes on the chat topic. */
class ChatSettingsTest {
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
    }

    private static Response putWords(String channel, String token, Object body) throws Exception {
        return http.request("PUT", "/api/channels/" + channel + "/chat").token(token).json(body).send();
    }

    @Test
    void blockedWordsAreStoredAndPublishedForTheChatNodes() throws Exception {
        var owner = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "words-owner")).json();
        String ownerToken = owner.get("token").asText();
        http.post("/api/channels", ownerToken, Map.of("name", "words-room"));
        try (KafkaConsumer<String, byte[]> chatNode = chatTopicReader()) {
            assertThat(http.get("/api/channels/words-room/chat", ownerToken).json().get("blockedWords")).isEmpty();

            Response put = putWords("words-room", ownerToken, Map.of("blockedWords", List.of("spoiler", "Ärger", "🙈")));
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            assertThat(texts(put)).containsExactly("spoiler", "Ärger", "🙈");
            assertThat(texts(http.get("/api/channels/words-room/chat", ownerToken)))
                    .containsExactly("spoiler", "Ärger", "🙈");

            ChatEvent published = awaitBlockedWords(chatNode, "words-room");
            assertThat(published.type()).isEqualTo(ChatEvent.Type.BLOCKED_WORDS);
            assertThat(published.channel()).isEqualTo("words-room");
            assertThat(published.words()).containsExactly("spoiler", "Ärger", "🙈");
            assertThat(published.node()).isEqualTo("api");
            assertThat(published.by()).isEqualTo(owner.get("id").asText());
            assertThat(published.at()).isNotNull();

            // The admin clears the list; the chat nodes hear that too.
            assertThat(putWords("words-room", ApiTestNode.ADMIN_TOKEN, Map.of("blockedWords", List.of())).status())
                    .isEqualTo(200);
            ChatEvent cleared = awaitBlockedWords(chatNode, "words-room");
            assertThat(cleared.words()).isEmpty();
            assertThat(cleared.by()).isEqualTo("admin");
            assertThat(http.get("/api/channels/words-room/chat", ApiTestNode.ADMIN_TOKEN).json().get("blockedWords"))
                    .isEmpty();
        }
    }

    @Test
    void onlyTheOwnerOrTheAdminSeesAndSetsThem() throws Exception {
        String owner = http.newUser("words-owner-two");
        String stranger = http.newUser("words-stranger");
        http.post("/api/channels", owner, Map.of("name", "words-room-two"));
        putWords("words-room-two", owner, Map.of("blockedWords", List.of("secret")));

        assertThat(http.get("/api/channels/words-room-two/chat", stranger).status()).isEqualTo(403);
        assertThat(http.get("/api/channels/words-room-two/chat", null).status()).isEqualTo(401);
        assertThat(putWords("words-room-two", stranger, Map.of("blockedWords", List.of())).status()).isEqualTo(403);
        assertThat(putWords("words-room-two", null, Map.of("blockedWords", List.of())).status()).isEqualTo(401);
        assertThat(putWords("no-such-room", owner, Map.of("blockedWords", List.of())).status()).isEqualTo(404);
        assertThat(texts(http.get("/api/channels/words-room-two/chat", owner))).containsExactly("secret");
    }

    @Test
    void badListsAreRefusedAndChangeNothing() throws Exception {
        String owner = http.newUser("words-owner-three");
        http.post("/api/channels", owner, Map.of("name", "words-room-three"));
        putWords("words-room-three", owner, Map.of("blockedWords", List.of("kept")));

        List<Object> bad = new ArrayList<>(List.of(
                Map.of(),
                Map.of("blockedWords", "spoiler"),
                Map.of("blockedWords", List.of("two words")),
                Map.of("blockedWords", List.of("tab\there")),
                Map.of("blockedWords", List.of("line\nbreak")),
                Map.of("blockedWords", List.of("")),
                Map.of("blockedWords", List.of("x".repeat(51))),
                Map.of("blockedWords", List.of(7)),
                Map.of("blockedWords", Collections.nCopies(201, "w"))));
        for (Object body : bad) {
            Response r = putWords("words-room-three", owner, body);
            assertThat(r.status()).as(body.toString()).isEqualTo(400);
            assertThat(r.errorCode()).isIn("missing_field", "invalid_field");
        }
        assertThat(putWords("words-room-three", owner, "not json").errorCode()).isEqualTo("invalid_json");
        assertThat(texts(http.get("/api/channels/words-room-three/chat", owner))).containsExactly("kept");
        assertThat(putWords("words-room-three", owner, Map.of("blockedWords", Collections.nCopies(200, "y".repeat(50))))
                .status()).as("the most allowed").isEqualTo(200);
        assertThat(texts(http.get("/api/channels/words-room-three/chat", owner))).hasSize(200);
    }

    private static List<String> texts(Response r) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("blockedWords").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A reader of the chat topic from its end, as a chat node joining now would be. */
    private static KafkaConsumer<String, byte[]> chatTopicReader() {
        var props = node.kafka.consumer("test-chat-node-" + UUID.randomUUID());
        props.put("auto.offset.reset", "latest");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(node.topics.name(Topic.CHAT)));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
        }
        assertThat(consumer.assignment()).as("chat partitions assigned").isNotEmpty();
        consumer.assignment().forEach(consumer::position);
        return consumer;
    }

    private static ChatEvent awaitBlockedWords(KafkaConsumer<String, byte[]> consumer, String channel) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                ChatEvent e = EventCodec.decode(r.value(), ChatEvent.class);
                if (channel.equals(r.key()) && e.type() == ChatEvent.Type.BLOCKED_WORDS) {
                    return e;
                }
            }
        }
        throw new AssertionError("no BLOCKED_WORDS record for " + channel + " on the chat topic within 30 s");
    }
}
