package io.castpipe.api.uploads;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.castpipe.common.db.Database;

/** The uploads and upload_parts tables: what an api node needs to resume an upload after a restart. */
public final class UploadRepository {
    private static final String COLUMNS = "id, video_id, kind, state, s3_upload_id, upload_length, offset_bytes, "
            + "part_size, filename, expires_at, created_at";

    private final Database db;

    public UploadRepository(Database db) {
        this.db = db;
    }

    public void insert(Upload u) {
        update("INSERT INTO uploads (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                u.id(), u.videoId(), u.kind().name().toLowerCase(Locale.ROOT), u.completed() ? "completed" : "open",
                u.s3UploadId(), u.length(), u.offset(), u.partSize(), u.filename(), time(u.expiresAt()), time(u.createdAt()));
    }

    public Optional<Upload> find(String id) {
        List<Upload> found = query("SELECT " + COLUMNS + " FROM uploads WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The video's unfinished uploads, newest first. */
    public List<Upload> openFor(String videoId) {
        return query("SELECT " + COLUMNS + " FROM uploads WHERE video_id = ? AND state = 'open' ORDER BY created_at DESC",
                videoId);
    }

    public List<Upload> expiredBefore(Instant now) {
        return query("SELECT " + COLUMNS + " FROM uploads WHERE expires_at < ? ORDER BY expires_at", time(now));
    }

    List<StoredPart> parts(String uploadId) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT part_number, size_bytes, etag FROM upload_parts WHERE upload_id = ? ORDER BY part_number")) {
            ps.setString(1, uploadId);
            List<StoredPart> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredPart(rs.getInt(1), rs.getLong(2), rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("reading the parts of upload " + uploadId, e);
        }
    }

    /** Records a part S3 now holds and the offset it brings the upload to, together. */
    void addPart(String uploadId, StoredPart part, long offset) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO upload_parts (upload_id, part_number, size_bytes, etag) VALUES (?, ?, ?, ?)");
                     PreparedStatement advance = c.prepareStatement("UPDATE uploads SET offset_bytes = ? WHERE id = ?")) {
                    insert.setString(1, uploadId);
                    insert.setInt(2, part.partNumber());
                    insert.setLong(3, part.sizeBytes());
                    insert.setString(4, part.etag());
                    insert.executeUpdate();
                    advance.setLong(1, offset);
                    advance.setString(2, uploadId);
                    advance.executeUpdate();
                    return null;
                }
            });
        } catch (SQLException e) {
            throw failure("recording part " + part.partNumber() + " of upload " + uploadId, e);
        }
    }

    void setOffset(String uploadId, long offset) {
        update("UPDATE uploads SET offset_bytes = ? WHERE id = ?", offset, uploadId);
    }

    /** @return false when the upload was no longer open (finished or given up meanwhile) */
    public boolean markCompleted(String uploadId, long length) {
        return update("UPDATE uploads SET state = 'completed', offset_bytes = ? WHERE id = ? AND state = 'open'",
                length, uploadId) > 0;
    }

    public void delete(String uploadId) {
        update("DELETE FROM uploads WHERE id = ?", uploadId);
    }

    private List<Upload> query(String sql, Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Upload> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("reading uploads", e);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("updating uploads", e);
        }
    }

    private static Upload read(ResultSet rs) throws SQLException {
        long length = rs.getLong("upload_length");
        Long uploadLength = rs.wasNull() ? null : length;
        return new Upload(rs.getString("id"), rs.getString("video_id"),
                Upload.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                "completed".equals(rs.getString("state")), rs.getString("s3_upload_id"), uploadLength,
                rs.getLong("offset_bytes"), rs.getLong("part_size"), rs.getString("filename"),
                rs.getObject("expires_at", OffsetDateTime.class).toInstant(),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    private static OffsetDateTime time(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException(what + ": " + e.getMessage(), e);
    }
}
