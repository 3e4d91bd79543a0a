package io.castpipe.api.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import io.castpipe.common.db.Database;

/** A channel's chat settings, kept in the channels table: the words its chat refuses. */
public final class ChatSettingsRepository {
    private final Database db;

    public ChatSettingsRepository(Database db) {
        this.db = db;
    }

    public List<String> blockedWords(String channelId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT chat_blocked_words FROM channels WHERE id = ?")) {
            ps.setString(1, channelId);
            try (ResultSet rs = ps.executeQuery()) {
                String lines = rs.next() ? rs.getString(1) : null;
                return lines == null || lines.isEmpty() ? List.of() : List.of(lines.split("\n"));
            }
        }
    }

    /**
     * Replaces the channel's blocked words and runs {@code announce} before committing. The update
     * holds the channel's row until then, so two replacements racing (on any api nodes) reach the
     * chat nodes in the order the database took them, and a failed announcement leaves the old list.
     */
    public void replaceBlockedWords(String channelId, List<String> words, Runnable announce) throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE channels SET chat_blocked_words = ? WHERE id = ?")) {
                ps.setString(1, words.isEmpty() ? null : String.join("\n", words));
                ps.setString(2, channelId);
                ps.executeUpdate();
                announce.run();
                return null;
            }
        });
    }
}
