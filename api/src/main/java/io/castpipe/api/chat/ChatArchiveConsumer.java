package io.castpipe.api.chat;

import java.sql.SQLException;

import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what is said in the chats for replay: MESSAGE records of the {@code chat} topic are stored,
 * DELETE records mark theirs deleted; the rest is the chat nodes' business. One group for all api
 * nodes, so each record is stored once; a record delivered again changes nothing.
 */
public final class ChatArchiveConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatArchiveConsumer.class);
    public static final String GROUP_ID = "castpipe-api-chat";
    /** The sizes of the chat_messages columns. */
    private static final int MAX_ID = 64;
    private static final int MAX_TEXT = 2000;

    private final ChatMessageRepository messages;
    private final EventConsumer<ChatEvent> consumer;

    public ChatArchiveConsumer(KafkaSettings kafka, Topics topics, ChatMessageRepository messages) {
        this.messages = messages;
        this.consumer = new EventConsumer<>(kafka, topics, Topic.CHAT, GROUP_ID, ChatEvent.class, this::apply);
    }

    public void start() {
        consumer.start();
    }

    private void apply(ChatEvent e) {
        if (e.type() != ChatEvent.Type.MESSAGE && e.type() != ChatEvent.Type.DELETE) {
            return;
        }
        if (e.channel() == null || !fits(e.id(), MAX_ID)) {
            log.warn("skipping a chat {} without a channel or a valid message id", e.type());
            return;
        }
        try {
            if (e.type() == ChatEvent.Type.DELETE) {
                messages.markDeleted(e.channel(), e.id());
            } else if (fits(e.userId(), MAX_ID) && fits(e.userName(), MAX_ID) && fits(e.text(), MAX_TEXT) && e.at() != null) {
                messages.archive(e.channel(), new ChatMessage(e.id(), e.userId(), e.userName(), e.text(), e.at()));
            } else {
                log.warn("channel {}: skipping chat message {} without a user, text or time, or with more than fits",
                        e.channel(), e.id());
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("chat of " + e.channel() + ": " + ex.getMessage(), ex);
        }
    }

    private static boolean fits(String s, int max) {
        return s != null && !s.isEmpty() && s.length() <= max;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
