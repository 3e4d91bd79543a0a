package io.castpipe.chat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.auth.ChatTokens.Role;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.chat.ChatNode.token;
import static io.castpipe.chat.ChatRoomTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

/** Each moderation action, taken on one node, is announced on both and enforced where the target posts. */
class ModerationTest {
    private static ChatNode a;
    private static ChatNode b;

    @BeforeAll
    static void startNodes() throws Exception {
        a = ChatNode.start("mod-a");
        b = ChatNode.start("mod-b");
    }

    @AfterAll
    static void stopNodes() {
        b.close();
        a.close();
    }

    @Test
    void aDeletedMessageIsAnnouncedAndLeavesTheHistory() throws Exception {
        String channel = "delete-room";
        try (ChatClient mod = a.connect(channel, token(channel, "mod1", "Mod", Role.MODERATOR));
             ChatClient viewer = b.connect(channel, token(channel, "v1", "Viewer", Role.VIEWER))) {
            viewer.post("keep me");
            viewer.post("rude words");
            List<JsonNode> seen = mod.messages(2);
            String rude = seen.get(1).get("id").asText();
            mod.sendJson("type", "delete", "id", rude);
            assertThat(viewer.next("deleted").get("id").asText()).isEqualTo(rude);
            assertThat(mod.next("deleted").get("id").asText()).isEqualTo(rude);
            try (ChatClient later = b.connect(channel, null)) {
                assertThat(texts(later.next("history").get("messages"))).containsExactly("keep me");
            }
        }
    }

    @Test
    void aTimedOutUserMayNotPostUntilItEnds() throws Exception {
        String channel = "timeout-room";
        try (ChatClient mod = a.connect(channel, token(channel, "mod1", "Mod", Role.MODERATOR));
             ChatClient user = b.connect(channel, token(channel, "u1", "User", Role.VIEWER))) {
            mod.sendJson("type", "timeout", "user", "u1", "seconds", 2);
            JsonNode announced = user.next("timeout");
            assertThat(announced.get("user").asText()).isEqualTo("u1");
            assertThat(announced.get("seconds").asInt()).isEqualTo(2);
            mod.next("timeout");
            user.post("am I muted?");
            JsonNode error = user.next("error");
            assertThat(error.get("code").asText()).isEqualTo("timed_out");
            Thread.sleep(2500);
            user.post("back again");
            assertThat(mod.next("message").get("text").asText()).isEqualTo("back again");
        }
    }

    @Test
    void aBannedUserIsRefusedOnEveryNodeUntilUnbanned() throws Exception {
        String channel = "ban-room";
        try (ChatClient owner = a.connect(channel, token(channel, "own1", "Owner", Role.OWNER));
             ChatClient userOnB = b.connect(channel, token(channel, "u2", "User", Role.VIEWER));
             ChatClient userOnA = a.connect(channel, token(channel, "u2", "User", Role.VIEWER))) {
            owner.sendJson("type", "ban", "user", "u2");
            assertThat(userOnB.next("ban").get("user").asText()).isEqualTo("u2");
            userOnA.next("ban");
            userOnB.post("from b");
            assertThat(userOnB.next("error").get("code").asText()).isEqualTo("banned");
            userOnA.post("from a");
            assertThat(userOnA.next("error").get("code").asText()).isEqualTo("banned");

            owner.sendJson("type", "unban", "user", "u2");
            assertThat(userOnB.next("unban").get("user").asText()).isEqualTo("u2");
            userOnB.post("thanks");
            assertThat(owner.next("message").get("text").asText()).isEqualTo("thanks");
        }
    }

    @Test
    void slowModeHoldsViewersButNotModerators() throws Exception {
        String channel = "slow-room";
        try (ChatClient mod = a.connect(channel, token(channel, "mod1", "Mod", Role.MODERATOR));
             ChatClient viewer = b.connect(channel, token(channel, "v2", "Viewer", Role.VIEWER))) {
            mod.sendJson("type", "slowmode", "seconds", 30);
            assertThat(viewer.next("slowmode").get("seconds").asInt()).isEqualTo(30);
            mod.next("slowmode");
            viewer.post("one");
            assertThat(mod.next("message").get("text").asText()).isEqualTo("one");
            viewer.post("two");
            assertThat(viewer.next("error").get("code").asText()).isEqualTo("slow_mode");
            mod.post("mods are not slowed");
            mod.post("not at all");
            assertThat(texts(viewer.messages(3))).containsExactly("one", "mods are not slowed", "not at all");
            assertThat(texts(mod.messages(2))).containsExactly("mods are not slowed", "not at all");

            try (ChatClient joiner = a.connect(channel, null)) {
                joiner.next("history");
                assertThat(joiner.next("slowmode").get("seconds").asInt()).as("a joiner is told slow mode is on").isEqualTo(30);
            }
            mod.sendJson("type", "slowmode", "seconds", 0);
            viewer.next("slowmode");
            viewer.post("free again");
            assertThat(mod.next("message").get("text").asText()).isEqualTo("free again");
        }
    }

    @Test
    void blockedWordsTheOwnerSetAreRefusedAsWholeWordsInAnyCase() throws Exception {
        String channel = "words-room";
        try (EventPublisher api = ChatNode.publisher();
             ChatClient viewer = b.connect(channel, token(channel, "v3", "Viewer", Role.VIEWER))) {
            viewer.next("history");
            api.publishDurably(Topic.CHAT, channel, ChatEvent.blockedWords(channel, List.of("darn", "Heck Off"), "own1", "api"));
            ChatRoomTest.await(() -> {
                viewer.post("oh DARN it " + System.nanoTime());
                try {
                    return viewer.next(f -> f.has("code") || f.path("type").asText().equals("message"), "answer")
                            .path("code").asText().equals("blocked_word");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            viewer.post("heck  off, please");
            assertThat(viewer.next("error").get("code").asText()).isEqualTo("blocked_word");
            viewer.post("I am darning socks");
            assertThat(viewer.next("message").get("text").asText()).isEqualTo("I am darning socks");
        }
    }

    @Test
    void onlyModeratorsModerateAndNobodyModeratesTheOwner() throws Exception {
        String channel = "rights-room";
        try (ChatClient owner = a.connect(channel, token(channel, "own2", "Owner", Role.OWNER));
             ChatClient mod = b.connect(channel, token(channel, "mod2", "Mod", Role.MODERATOR, "own2"));
             ChatClient viewer = b.connect(channel, token(channel, "v4", "Viewer", Role.VIEWER));
             ChatClient anonymous = b.connect(channel, null)) {
            viewer.sendJson("type", "ban", "user", "mod2");
            assertThat(viewer.next("error").get("code").asText()).isEqualTo("forbidden");
            viewer.sendJson("type", "slowmode", "seconds", 10);
            assertThat(viewer.next("error").get("code").asText()).isEqualTo("forbidden");
            anonymous.post("hello?");
            assertThat(anonymous.next("error").get("code").asText()).isEqualTo("read_only");

            mod.sendJson("type", "ban", "user", "own2");
            assertThat(mod.next("error").get("code").asText()).isEqualTo("forbidden");
            mod.sendJson("type", "timeout", "user", "own2", "seconds", 60);
            assertThat(mod.next("error").get("code").asText()).isEqualTo("forbidden");
            owner.post("still the owner");
            String id = mod.next("message").get("id").asText();
            mod.sendJson("type", "delete", "id", id);
            assertThat(mod.next("error").get("code").asText()).isEqualTo("forbidden");
            assertThat(viewer.frames).noneMatch(f -> f.path("type").asText().equals("ban"));
        }
    }

    @Test
    void noModeratorDeletesTheOwnersMessageWhateverItsAgeOnAnyNodeEvenAfterARestart() throws Exception {
        String channel = "old-words-room";
        String fillerId;
        try (ChatClient owner = a.connect(channel, token(channel, "own3", "Owner", Role.OWNER));
             ChatClient mod = b.connect(channel, token(channel, "mod3", "Mod", Role.MODERATOR, "own3"));
             EventPublisher talker = ChatNode.publisher()) {
            mod.next("history");
            owner.post("the owner's word");
            String ownersId = mod.next("message").get("id").asText();
            // More than the 50 messages a room shows: the owner's message has left every node's history.
            fillerId = Ids.newId();
            talker.publish(Topic.CHAT, channel, ChatEvent.message(channel, fillerId, "talker", "Talker", "filler first", "test"));
            for (int i = 0; i < 60; i++) {
                talker.publish(Topic.CHAT, channel, ChatEvent.message(channel, Ids.newId(), "talker", "Talker", "filler " + i, "test"));
            }
            mod.next(f -> f.path("text").asText().equals("filler 59"), "the last filler");
            try (ChatClient later = b.connect(channel, null)) {
                assertThat(texts(later.next("history").get("messages"))).doesNotContain("the owner's word", "filler first");
            }

            mod.sendJson("type", "delete", "id", ownersId);
            assertThat(mod.next("error").get("code").asText()).isEqualTo("forbidden");
            mod.sendJson("type", "delete", "id", Ids.newId());
            assertThat(mod.next("error").get("code").asText()).as("an id the room does not know").isEqualTo("forbidden");
            mod.sendJson("type", "delete", "id", fillerId);
            assertThat(mod.next("deleted").get("id").asText()).as("anyone else's, out of the history too").isEqualTo(fillerId);

            try (ChatNode restarted = ChatNode.start("mod-c");
                 ChatClient modOnC = restarted.connect(channel, token(channel, "mod3", "Mod", Role.MODERATOR, "own3"))) {
                modOnC.next("history");
                modOnC.sendJson("type", "delete", "id", ownersId);
                assertThat(modOnC.next("error").get("code").asText()).isEqualTo("forbidden");
            }
            owner.sendJson("type", "delete", "id", ownersId);
            assertThat(mod.next("deleted").get("id").asText()).as("the owner may").isEqualTo(ownersId);
        }
    }

    @Test
    void theSameMessageTwiceWithin30SecondsIsRefused() throws Exception {
        String channel = "repeat-room";
        try (ChatClient viewer = a.connect(channel, token(channel, "v5", "Viewer", Role.VIEWER))) {
            viewer.post("first!");
            viewer.next("message");
            viewer.post("first!");
            assertThat(viewer.next("error").get("code").asText()).isEqualTo("duplicate");
            viewer.post("second");
            assertThat(viewer.next("message").get("text").asText()).isEqualTo("second");
        }
    }
}
