package io.castpipe.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.common.auth.ChatTokens.Role;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.chat.ChatNode.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's message rate is theirs, not their connection's: more connections, or connecting again,
 * give no more messages; and one user's token holds a bounded number of connections on a node.
 */
class PerUserLimitsTest {
    /** Five messages and no refill within the test, so what passes does not depend on the machine's speed. */
    private static final ChatLimits FIVE_ONLY = new ChatLimits(5, Duration.ofHours(1), 1000, Duration.ofSeconds(5),
            Duration.ofMillis(50));
    private static ChatNode node;

    @BeforeAll
    static void startNode() throws Exception {
        node = ChatNode.start("per-user", FIVE_ONLY);
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void threeConnectionsOfOneUserShareOneMessageBucket() throws Exception {
        String channel = "shared-bucket-room";
        String token = token(channel, "many", "Many", Role.VIEWER);
        List<ChatClient> tabs = new ArrayList<>();
        try (ChatClient reader = node.connect(channel, null)) {
            reader.next("history");
            for (int i = 0; i < 3; i++) {
                tabs.add(node.connect(channel, token));
            }
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < tabs.size(); i++) {
                    tabs.get(i).post("tab " + i + " round " + round);
                }
            }
            int refused = 0;
            for (int i = 0; i < tabs.size(); i++) {
                refused += (int) answers(tabs.get(i), "tab " + i + " ", 4).stream().filter("rate_limited"::equals).count();
            }
            assertThat(refused).as("posts refused as rate_limited of 12 from three connections").isEqualTo(7);
            assertThat(reader.messages(5)).hasSize(5);
        } finally {
            tabs.forEach(ChatClient::close);
        }
    }

    @Test
    void connectingAgainDoesNotRefillTheBucket() throws Exception {
        String channel = "reconnect-room";
        String token = token(channel, "again", "Again", Role.VIEWER);
        try (ChatClient first = node.connect(channel, token)) {
            for (int i = 0; i < 5; i++) {
                first.post("first " + i);
            }
            assertThat(first.messages(5)).hasSize(5);
        }
        try (ChatClient second = node.connect(channel, token)) {
            second.post("after reconnecting");
            assertThat(second.next("error").get("code").asText()).isEqualTo("rate_limited");
        }
    }

    @Test
    void oneUsersTokenHoldsAtMostTenConnectionsOnANode() throws Exception {
        String channel = "tabs-room";
        String token = token(channel, "tabby", "Tabby", Role.VIEWER);
        List<ChatClient> tabs = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                ChatClient tab = node.connect(channel, token);
                tab.next("history");
                tabs.add(tab);
            }
            try (ChatClient eleventh = node.connect(channel, token)) {
                assertThat(eleventh.awaitClosed()).isTrue();
                assertThat(eleventh.closeCode).isEqualTo(CloseFrame.POLICY_VALIDATION);
            }
            try (ChatClient someoneElse = node.connect(channel, token(channel, "other", "Other", Role.VIEWER));
                 ChatClient anonymous = node.connect(channel, null)) {
                assertThat(someoneElse.next("history")).isNotNull();
                assertThat(anonymous.next("history")).isNotNull();
            }
            tabs.remove(0).closeBlocking();
            ChatRoomTest.await(() -> {
                try (ChatClient again = node.connect(channel, token)) {
                    again.next(f -> true, "any frame");
                    return again.isOpen() && again.frames.stream().anyMatch(f -> f.path("type").asText().equals("history"));
                } catch (Exception | AssertionError e) {
                    return false; // refused still: the node has not seen the tab's close yet
                }
            });
            assertThat(node.scrape("castpipe_chat_drops_total{reason=\"user_limit\",roles=\"chat\"}")).isGreaterThanOrEqualTo(1);
        } finally {
            tabs.forEach(ChatClient::close);
        }
    }

    /**
     * The answers to a connection's next {@code count} posts: an error's code, or "message" for one of
     * its own messages (those whose text starts with {@code prefix}) coming back.
     */
    private static List<String> answers(ChatClient c, String prefix, int count) throws InterruptedException {
        List<String> out = new ArrayList<>();
        while (out.size() < count) {
            var f = c.next(x -> x.path("type").asText().equals("error")
                    || x.path("type").asText().equals("message") && x.path("text").asText().startsWith(prefix), "answer");
            out.add(f.path("type").asText().equals("error") ? f.get("code").asText() : "message");
        }
        return out;
    }
}
