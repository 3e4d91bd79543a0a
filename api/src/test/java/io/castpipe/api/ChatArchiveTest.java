package io.castpipe.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat archive takes what the chat nodes publish, and a record the database cannot hold is
 * passed over with a log line, so the records after it are still kept: a NUL in a text or name
 * (PostgreSQL refuses it; passed over on H2 too), a time no timestamp column holds, and on
 * PostgreSQL a time beyond its range (H2 holds that one). Against PostgreSQL when
 * CASTPIPE_TEST_POSTGRES_URL names one, H2 otherwise.
 */
class ChatArchiveTest {
    @Test
    void aRecordTheDatabaseCannotHoldIsSkippedAndTheArchiveCarriesOn() throws Exception {
        ApiTestNode node = ApiTestNode.shared();
        HttpTestClient http = node.client();
        http.post("/api/channels", http.newUser("archive-owner"), Map.of("name", "archive-room"));
        try (EventPublisher chatNode = new EventPublisher(node.kafka, node.topics, "test-chat-node")) {
            say(chatNode, "before", "before the bad ones", Instant.now());
            say(chatNode, "nul", "a NUL \u0000 inside", Instant.now());
            say(chatNode, "nulname", "the name has it", Instant.now(), "bad\u0000name");
            say(chatNode, "far", "from the far future", Instant.parse("+300000-01-01T00:00:00Z"));
            say(chatNode, "farthest", "from the end of time", Instant.MAX);
            say(chatNode, "after", "after the bad ones", Instant.now());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!archived(node).contains("after") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(archived(node)).contains("before", "after").doesNotContain("nul", "nulname", "farthest");
    }

    private static void say(EventPublisher kafka, String id, String text, Instant at) {
        say(kafka, id, text, at, "Archivist");
    }

    private static void say(EventPublisher kafka, String id, String text, Instant at, String userName) {
        kafka.publishDurably(Topic.CHAT, "archive-room", new ChatEvent(ChatEvent.Type.MESSAGE, "archive-room", id,
                "archivist", userName, text, null, null, null, at, "chat-a"));
    }

    private static List<String> archived(ApiTestNode node) throws Exception {
        try (Connection c = node.database.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT m.id FROM chat_messages m JOIN channels ch ON ch.id = m.channel_id WHERE ch.name = 'archive-room'")) {
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }
}
