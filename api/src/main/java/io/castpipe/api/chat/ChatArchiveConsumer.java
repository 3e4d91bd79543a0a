package io.castpipe.api.chat;

import java.sql.SQLException;
import java.time.DateTimeException;

import io.castpipe.common.db.Database;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.node.Supervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what is said in the chats for replay: MESSAGE records of the {@code chat} topic are stored,
 * DELETE records mark theirs deleted; the rest is the chat nodes' business. One group for all api
 * nodes, so each record is stored once; a record delivered again changes nothing.
 *
 * <p>A record the database cannot hold is passed over with a log line, never retried: retrying
 * would stop the archive at it for good. That is a record with a NUL character (PostgreSQL's text
 * cannot hold one; chat nodes refuse them, older ones did not), checked here so that H2 does the
 * same, or one the database refuses as data (SQLSTATE class 22, e.g. a time out of its range) or
 * whose time no database column can take.
 * Any other failure (the database unreachable) is retried.
 */
public final class ChatArchiveConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatArchiveConsumer.class);
    public static final String GROUP_ID = "castpipe-api-chat";
    /** The sizes of the chat_messages columns. */
    private static final int MAX_ID = 64;
    private static final int MAX_TEXT = 2000;

    private final ChatMessageRepository messages;
    private final EventConsumer<ChatEvent> consumer;

    public ChatArchiveConsumer(Supervisor supervisor, KafkaSettings kafka, Topics topics, ChatMessageRepository messages) {
        this.messages = messages;
        this.consumer = new EventConsumer<>(supervisor, "chat-archive", kafka, topics, Topic.CHAT, GROUP_ID, ChatEvent.class, this::apply);
    }

    public void start() {
        consumer.start();
    }

    private void apply(ChatEvent e) {
        if (e.type() != ChatEvent.Type.MESSAGE && e.type() != ChatEvent.Type.DELETE) {
            return;
        }
        if (e.channel() == null || !storable(e.id(), MAX_ID)) {
            log.warn("skipping a chat {} without a channel or a valid message id", e.type());
            return;
        }
        try {
            if (e.type() == ChatEvent.Type.DELETE) {
                messages.markDeleted(e.channel(), e.id());
            } else if (storable(e.userId(), MAX_ID) && storable(e.userName(), MAX_ID) && storable(e.text(), MAX_TEXT)
                    && e.at() != null) {
                messages.archive(e.channel(), new ChatMessage(e.id(), e.userId(), e.userName(), e.text(), e.at()));
            } else {
                log.warn("channel {}: skipping chat message {} without a user, text or time, with more than fits, or with"
                        + " a NUL character", e.channel(), e.id());
            }
        } catch (SQLException ex) {
            if (!Database.isDataException(ex)) {
                throw new IllegalStateException("chat of " + e.channel() + ": " + ex.getMessage(), ex);
            }
            skipUnstorable(e, ex);
        } catch (DateTimeException ex) {
            skipUnstorable(e, ex);
        }
    }

    private static void skipUnstorable(ChatEvent e, Exception why) {
        log.warn("channel {}: skipping chat {} {}, which the database cannot hold: {}", e.channel(), e.type(), e.id(),
                why.getMessage());
    }

    private static boolean storable(String s, int max) {
        return s != null && !s.isEmpty() && s.length() <= max && s.indexOf('\u0000') < 0;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
