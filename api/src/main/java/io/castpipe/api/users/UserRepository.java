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

/** The users table; their tokens are in {@link TokenRepository}'s. */
public final class UserRepository {

    private final Database db;

    public UserRepository(Database db) {
        this.db = db;
    }

    /** A user with their first token, together. @return false when the name is taken */
    public boolean create(String id, String name, TokenRepository.ApiToken firstToken, String tokenHash)
            throws SQLException {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, name, created_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, name);
                    ps.setObject(3, OffsetDateTime.ofInstant(firstToken.createdAt(), ZoneOffset.UTC));
                    ps.executeUpdate();
                    TokenRepository.insert(c, firstToken, tokenHash);
                    return true;
                }
            });
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes the user with their tokens and moderator roles; their channels and videos must be gone first. */
    public boolean delete(String id) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Every user by name, for the admin; at most {@code limit}. */
    public List<User> list(int limit) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, name, created_at FROM users ORDER BY name LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<User> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new User(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant()));
                }
                return out;
            }
        }
    }

    public record User(String id, String name, Instant createdAt) {
    }

    public Optional<String> findName(String id) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT name FROM users WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
