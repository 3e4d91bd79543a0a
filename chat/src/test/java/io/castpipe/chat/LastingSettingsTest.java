package io.castpipe.chat;

import java.util.List;

import io.castpipe.chat.log.ChatLog;
import io.castpipe.common.auth.ChatTokens.Role;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A room's moderation settings outlive the part of the chat log a node replays at start: a node
 * started after more messages than it replays still bans whom the owner banned, keeps slow mode
 * and refuses the blocked words, because the settings are also kept on {@code chat.state}.
 */
class LastingSettingsTest {
    @Test
    void aNodeStartedLongAfterTheSettingsStillKeepsThem() throws Exception {
        String channel = "lasting-room";
        try (ChatNode first = ChatNode.start("lasting-first");
             ChatClient owner = first.connect(channel, ChatNode.token(channel, "boss", "Boss", Role.OWNER))) {
            owner.next("history");
            owner.sendJson("type", "ban", "user", "pest");
            owner.next("ban");
            owner.sendJson("type", "slowmode", "seconds", 30);
            owner.next("slowmode");
        }
        try (EventPublisher kafka = ChatNode.publisher()) {
            // As the API publishes an owner's list.
            ChatEvent words = ChatEvent.blockedWords(channel, List.of("spoiler"), "boss", "api");
            kafka.publishDurably(Topic.CHAT_STATE, words.stateKey(), words);
            kafka.publishDurably(Topic.CHAT, channel, words);
            // More messages than a starting node replays of the room's partition: the settings are older than all it reads.
            for (int i = 0; i < ChatLog.REPLAY_RECORDS; i++) {
                kafka.publish(Topic.CHAT, channel, ChatEvent.message(channel, Ids.newId(), "talker", "Talker", "filler " + i, "test"));
            }
            kafka.publishDurably(Topic.CHAT, channel, ChatEvent.message(channel, Ids.newId(), "talker", "Talker", "the last", "test"));
        }
        try (ChatNode later = ChatNode.start("lasting-later");
             ChatClient pest = later.connect(channel, ChatNode.token(channel, "pest", "Pest", Role.VIEWER));
             ChatClient viewer = later.connect(channel, ChatNode.token(channel, "fan", "Fan", Role.VIEWER))) {
            assertThat(pest.next("history").get("messages").get(49).get("text").asText()).isEqualTo("the last");
            assertThat(pest.next("slowmode").get("seconds").asInt()).isEqualTo(30);
            pest.post("let me in");
            assertThat(pest.next("error").get("code").asText()).isEqualTo("banned");
            viewer.next("history");
            viewer.post("a spoiler here");
            assertThat(viewer.next("error").get("code").asText()).isEqualTo("blocked_word");
        }
    }
}
