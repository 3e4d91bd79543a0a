package io.castpipe.api.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.common.db.Database;

/** The chat_messages table. Writes are idempotent, so a chat record delivered twice changes nothing. */
public final class ChatMessageRepository {
    private final Database db;

    public ChatMessageRepository(Database db) {
        this.db = db;
    }

    /** Keeps a message of the channel named {@code channel} unless it is kept already; nothing for an unknown channel. */
    public void archive(String channel, ChatMessage m) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO chat_messages (channel_id, id, user_id, user_name, body, sent_at) "
                        + "SELECT ch.id, ?, ?, ?, ?, ? FROM channels ch WHERE ch.name = ? AND NOT EXISTS "
                        + "(SELECT 1 FROM chat_messages m WHERE m.channel_id = ch.id AND m.id = ?)")) {
            ps.setString(1, m.id());
            ps.setString(2, m.userId());
            ps.setString(3, m.userName());
            ps.setString(4, m.text());
            ps.setObject(5, time(m.sentAt()));
            ps.setString(6, channel);
            ps.setString(7, m.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /**
     * Marks a message deleted. The chat topic is keyed by channel, so a room's records arrive in the
     * order they were published and a message is always kept before its deletion comes.
     */
    public void markDeleted(String channel, String messageId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE chat_messages SET deleted = TRUE WHERE id = ? "
                        + "AND channel_id = (SELECT id FROM channels WHERE name = ?)")) {
            ps.setString(1, messageId);
            ps.setString(2, channel);
            ps.executeUpdate();
        }
    }

    /** The channel's messages not deleted, sent from {@code from} until before {@code until}, oldest first. */
    public List<ChatMessage> between(String channelId, Instant from, Instant until, int limit) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, user_id, user_name, body, sent_at FROM chat_messages WHERE channel_id = ? "
                        + "AND sent_at >= ? AND sent_at < ? AND deleted = FALSE ORDER BY sent_at, id LIMIT ?")) {
            ps.setString(1, channelId);
            ps.setObject(2, time(from));
            ps.setObject(3, time(until));
            ps.setInt(4, limit);
            List<ChatMessage> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ChatMessage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        }
    }

    private static OffsetDateTime time(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
