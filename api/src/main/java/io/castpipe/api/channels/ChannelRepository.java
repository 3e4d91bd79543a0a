package io.castpipe.api.channels;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.castpipe.common.db.Database;

/** The channels table. */
public final class ChannelRepository {
    private static final String COLUMNS = "id, name, owner_id, title, latency, stream_key, created_at";

    private final Database db;

    public ChannelRepository(Database db) {
        this.db = db;
    }

    /** @return false when the name is taken */
    public boolean create(Channel ch) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO channels (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, ch.id());
            ps.setString(2, ch.name());
            ps.setString(3, ch.ownerId());
            ps.setString(4, ch.title());
            ps.setString(5, ch.latency());
            ps.setString(6, ch.streamKey());
            ps.setObject(7, OffsetDateTime.ofInstant(ch.createdAt(), ZoneOffset.UTC));
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    public Optional<Channel> findByName(String name) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM channels WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Every channel by name; there are few enough per deployment to list whole (at most {@code limit}). */
    public List<Channel> list(int limit) throws SQLException {
        return select("ORDER BY name LIMIT ?", limit);
    }

    public List<Channel> listOwnedBy(String ownerId, int limit) throws SQLException {
        return select("WHERE owner_id = ? ORDER BY name LIMIT ?", ownerId, limit);
    }

    private List<Channel> select(String clauses, Object... args) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM channels " + clauses)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Channel> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    public void setStreamKey(String channelId, String streamKey) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE channels SET stream_key = ? WHERE id = ?")) {
            ps.setString(1, streamKey);
            ps.setString(2, channelId);
            ps.executeUpdate();
        }
    }

    /** Deletes the channel with its streams, moderators and chat messages; its videos must be gone first. */
    public void delete(String channelId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM channels WHERE id = ?")) {
            ps.setString(1, channelId);
            ps.executeUpdate();
        }
    }

    private static Channel read(ResultSet rs) throws SQLException {
        return new Channel(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant());
    }
}
