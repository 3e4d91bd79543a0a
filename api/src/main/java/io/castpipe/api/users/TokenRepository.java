package io.castpipe.api.users;

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

/** The api_tokens table: a user's named bearer tokens, kept only as their SHA-256. */
public final class TokenRepository {
    /** A token as listed: never its secret, which only its creation or rotation returns. */
    public record ApiToken(String id, String userId, String name, Instant createdAt) {
    }

    /** Who a token hash belongs to: the user and which of their tokens it is. */
    public record Holder(String userId, String tokenId) {
    }

    private final Database db;

    public TokenRepository(Database db) {
        this.db = db;
    }

    static void insert(Connection c, ApiToken token, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, token.id());
            ps.setString(2, token.userId());
            ps.setString(3, token.name());
            ps.setString(4, tokenHash);
            ps.setObject(5, OffsetDateTime.ofInstant(token.createdAt(), ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /** Adds a token unless the user already has {@code max}; false then. */
    public boolean insertUnlessFull(ApiToken token, String tokenHash, int max) throws SQLException {
        return db.inTransaction(c -> {
            // The user's row, locked, makes concurrent additions take turns at the count.
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM users WHERE id = ? FOR UPDATE")) {
                lock.setString(1, token.userId());
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            if (list(c, token.userId()).size() >= max) {
                return false;
            }
            insert(c, token, tokenHash);
            return true;
        });
    }

    public List<ApiToken> list(String userId) throws SQLException {
        try (Connection c = db.connection()) {
            return list(c, userId);
        }
    }

    private static List<ApiToken> list(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, name, created_at FROM api_tokens WHERE user_id = ? ORDER BY created_at, id")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                List<ApiToken> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new ApiToken(rs.getString(1), userId, rs.getString(2),
                            rs.getObject(3, OffsetDateTime.class).toInstant()));
                }
                return out;
            }
        }
    }

    /** Gives the user's token a new secret; false when the user has no such token. */
    public boolean replaceHash(String userId, String tokenId, String tokenHash) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE api_tokens SET token_hash = ? WHERE id = ? AND user_id = ?")) {
            ps.setString(1, tokenHash);
            ps.setString(2, tokenId);
            ps.setString(3, userId);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<ApiToken> find(String userId, String tokenId) throws SQLException {
        return list(userId).stream().filter(t -> t.id().equals(tokenId)).findFirst();
    }

    /** @return false when the user has no such token */
    public boolean delete(String userId, String tokenId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM api_tokens WHERE id = ? AND user_id = ?")) {
            ps.setString(1, tokenId);
            ps.setString(2, userId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Revokes every token of the user; returns how many there were. */
    public int deleteAll(String userId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM api_tokens WHERE user_id = ?")) {
            ps.setString(1, userId);
            return ps.executeUpdate();
        }
    }

    public Optional<Holder> findByHash(String tokenHash) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, id FROM api_tokens WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Holder(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("looking up a token: " + e.getMessage(), e);
        }
    }
}
