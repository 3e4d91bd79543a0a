package io.castpipe.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.auth.ChatTokens.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.chat.ChatNode.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Two chat nodes on one broker show every room the same: history, live messages, order, restarts. */
class ChatRoomTest {
    /** Enough for 200 messages a sender; the flood guard's 20 frames/s still holds. */
    private static final ChatLimits BUSY = new ChatLimits(1000, Duration.ofMillis(1), 1000, Duration.ofSeconds(5),
            Duration.ofMillis(50));
    private static ChatNode a;
    private static ChatNode b;

    @BeforeAll
    static void startNodes() throws Exception {
        a = ChatNode.start("chat-a", BUSY);
        b = ChatNode.start("chat-b", BUSY);
    }

    @AfterAll
    static void stopNodes() {
        b.close();
        a.close();
    }

    @Test
    void aJoinerGetsTheHistoryAndEveryNodeDeliversNewMessages() throws Exception {
        String channel = "history-room";
        try (ChatClient alice = a.connect(channel, token(channel, "alice1", "Alice", Role.VIEWER))) {
            assertThat(alice.next("history").get("messages")).isEmpty();
            for (int i = 1; i <= 3; i++) {
                alice.post("hello " + i);
            }
            assertThat(alice.messages(3)).extracting(m -> m.get("text").asText())
                    .containsExactly("hello 1", "hello 2", "hello 3");

            try (ChatClient bob = b.connect(channel, token(channel, "bob1", "Bob", Role.VIEWER))) {
                JsonNode history = bob.next("history").get("messages");
                assertThat(history).extracting(m -> m.get("text").asText()).containsExactly("hello 1", "hello 2", "hello 3");
                JsonNode first = history.get(0);
                assertThat(first.get("user").asText()).isEqualTo("Alice");
                assertThat(first.get("userId").asText()).isEqualTo("alice1");
                assertThat(first.get("id").asText()).isNotEmpty();
                assertThat(first.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

                bob.post("hi from node b");
                JsonNode atAlice = alice.next("message");
                JsonNode atBob = bob.next("message");
                assertThat(atAlice.get("text").asText()).isEqualTo("hi from node b");
                assertThat(atAlice).isEqualTo(atBob);
            }
        }
    }

    @Test
    void threeSendersOnTwoNodesLoseNothingAndKeepTheirOrder() throws Exception {
        String channel = "busy-room";
        int perSender = 200;
        List<ChatClient> senders = List.of(
                a.connect(channel, token(channel, "s0", "S0", Role.VIEWER)),
                a.connect(channel, token(channel, "s1", "S1", Role.VIEWER)),
                b.connect(channel, token(channel, "s2", "S2", Role.VIEWER)));
        ChatClient watcherA = a.connect(channel, null);
        ChatClient watcherB = b.connect(channel, null);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> sending = new ArrayList<>();
            for (int s = 0; s < senders.size(); s++) {
                ChatClient sender = senders.get(s);
                int n = s;
                sending.add(pool.submit(() -> {
                    for (int i = 0; i < perSender; i++) {
                        sender.post("s" + n + " #" + i);
                        Thread.sleep(60); // under the flood guard's 20 frames a second
                    }
                    return null;
                }));
            }
            for (Future<?> f : sending) {
                f.get();
            }
            List<String> seenA = texts(watcherA.messages(3 * perSender));
            List<String> seenB = texts(watcherB.messages(3 * perSender));
            assertThat(seenA).as("both nodes deliver the same order").isEqualTo(seenB);
            assertThat(seenA).doesNotHaveDuplicates();
            Map<String, Integer> nextOfSender = new HashMap<>();
            for (String text : seenA) {
                String sender = text.substring(0, 2);
                int i = Integer.parseInt(text.substring(text.indexOf('#') + 1));
                assertThat(i).as("%s in order", text).isEqualTo(nextOfSender.getOrDefault(sender, 0));
                nextOfSender.put(sender, i + 1);
            }
            assertThat(nextOfSender).containsEntry("s0", perSender).containsEntry("s1", perSender).containsEntry("s2", perSender);
            for (ChatClient sender : senders) {
                assertThat(sender.frames).noneMatch(f -> "error".equals(f.path("type").asText()));
            }
            assertThat(a.scrape("castpipe_chat_messages_total{direction=\"in\",roles=\"chat\"}")).isGreaterThanOrEqualTo(400);
        } finally {
            pool.shutdownNow();
            senders.forEach(ChatClient::close);
            watcherA.close();
            watcherB.close();
        }
    }

    @Test
    void aRestartedNodeRebuildsHistoryAndBansFromKafka() throws Exception {
        String channel = "restart-room";
        try (ChatNode first = ChatNode.start("chat-first");
             ChatClient owner = first.connect(channel, token(channel, "owner1", "Owner", Role.OWNER));
             ChatClient troll = first.connect(channel, token(channel, "troll1", "Troll", Role.VIEWER))) {
            owner.post("before the restart");
            troll.next("message");
            troll.post("spam");
            troll.next("message");
            owner.sendJson("type", "ban", "user", "troll1");
            troll.next("ban");
        }
        try (ChatNode second = ChatNode.start("chat-second");
             ChatClient viewer = second.connect(channel, null);
             ChatClient troll = second.connect(channel, token(channel, "troll1", "Troll", Role.VIEWER))) {
            assertThat(texts(viewer.next("history").get("messages"))).containsExactly("before the restart", "spam");
            troll.post("let me back in");
            assertThat(troll.next("error").get("code").asText()).isEqualTo("banned");
        }
    }

    @Test
    void aRoomEmptiedAndJoinedAgainKeepsItsHistory() throws Exception {
        String channel = "empty-room";
        try (ChatClient alice = a.connect(channel, token(channel, "alice2", "Alice", Role.VIEWER))) {
            alice.post("anyone here?");
            alice.next("message");
        }
        await(() -> a.scrape("castpipe_chat_connections{roles=\"chat\"}") == 0);
        try (ChatClient later = a.connect(channel, null)) {
            assertThat(texts(later.next("history").get("messages"))).containsExactly("anyone here?");
        }
    }

    static List<String> texts(Iterable<JsonNode> messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.get("text").asText()));
        return out;
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + ChatClient.DEADLINE.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("condition within the deadline").isTrue();
    }
}
