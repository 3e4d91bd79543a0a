package io.castpipe.ingest.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import io.castpipe.common.db.Database;
import io.castpipe.common.media.LatencyMode;

/** Finds the channel a stream key opens. Blocking (JDBC): never call it on an event loop. */
public final class StreamKeys {
    /** Keys longer than the column cannot match; they are refused before the query. */
    public static final int MAX_KEY_LENGTH = 64;

    private final Database database;

    public StreamKeys(Database database) {
        this.database = database;
    }

    /** A value the API would not have stored counts as normal rather than locking the channel out. */
    private static LatencyMode mode(String stored) {
        try {
            return LatencyMode.ofApiName(stored);
        } catch (IllegalArgumentException e) {
            return LatencyMode.NORMAL;
        }
    }

    public Optional<Channel> lookup(String streamKey) throws SQLException {
        if (streamKey == null || streamKey.isEmpty() || streamKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        try (Connection c = database.connection();
             PreparedStatement ps = c.prepareStatement("SELECT id, name, stream_key, latency FROM channels WHERE stream_key = ?")) {
            ps.setString(1, streamKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                // The index found the row; compare again in constant time so a lookup that
                // ignores case or trailing spaces in some database cannot open a channel.
                byte[] stored = rs.getString(3).getBytes(StandardCharsets.UTF_8);
                if (!MessageDigest.isEqual(stored, streamKey.getBytes(StandardCharsets.UTF_8))) {
                    return Optional.empty();
                }
                return Optional.of(new Channel(rs.getString(1), rs.getString(2), mode(rs.getString(4))));
            }
        }
    }
}
