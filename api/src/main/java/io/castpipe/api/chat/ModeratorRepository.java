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

/** The channel_moderators table: the users a channel's owner lets moderate its chat. */
public final class ModeratorRepository {
    /** A moderator as listed: the user's id and name. */
    public record Moderator(String id, String name) {
    }

    private final Database db;

    public ModeratorRepository(Database db) {
        this.db = db;
    }

    /** @return false when the channel has {@code max} moderators already and this user is not one of them */
    public boolean add(String channelId, String userId, int max, Instant now) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO channel_moderators (channel_id, user_id, added_at) SELECT id, ?, ? FROM channels "
                        + "WHERE id = ? AND NOT EXISTS (SELECT 1 FROM channel_moderators WHERE channel_id = ? AND user_id = ?) "
                        + "AND (SELECT COUNT(*) FROM channel_moderators WHERE channel_id = ?) < ?")) {
            ps.setString(1, userId);
            ps.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.setString(3, channelId);
            ps.setString(4, channelId);
            ps.setString(5, userId);
            ps.setString(6, channelId);
            ps.setInt(7, max);
            return ps.executeUpdate() == 1 || isModerator(channelId, userId);
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                return true;
            }
            throw e;
        }
    }

    public void remove(String channelId, String userId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM channel_moderators WHERE channel_id = ? AND user_id = ?")) {
            ps.setString(1, channelId);
            ps.setString(2, userId);
            ps.executeUpdate();
        }
    }

    public boolean isModerator(String channelId, String userId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM channel_moderators WHERE channel_id = ? AND user_id = ?")) {
            ps.setString(1, channelId);
            ps.setString(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** By name, at most {@code limit}. */
    public List<Moderator> list(String channelId, int limit) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT u.id, u.name FROM channel_moderators m JOIN users u ON u.id = m.user_id "
                        + "WHERE m.channel_id = ? ORDER BY u.name LIMIT ?")) {
            ps.setString(1, channelId);
            ps.setInt(2, limit);
            List<Moderator> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Moderator(rs.getString(1), rs.getString(2)));
                }
            }
            return out;
        }
    }
}
