package io.castpipe.api.videos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import io.castpipe.api.auth.Caller;
import io.castpipe.common.db.Database;

/**
 * The videos table. Every status change is one conditional UPDATE whose WHERE clause names the
 * statuses it may leave, so late or repeated events and racing requests cannot move a video
 * backwards; each returns whether it applied.
 */
public final class VideoRepository {
    private static final String COLUMNS = "id, owner_id, title, description, visibility, status, progress, error_code, "
            + "error_message, duration_seconds, source_json, renditions_json, created_at, updated_at, channel_id";
    private static final String ACCEPTS_UPLOAD = "status IN ('created', 'uploading', 'failed')";

    private final Database db;

    public VideoRepository(Database db) {
        this.db = db;
    }

    public void insert(Video v) {
        update("INSERT INTO videos (id, owner_id, title, description, visibility, status, progress, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                v.id(), v.ownerId(), v.title(), v.description(), v.visibility().value(), v.status().value(), v.progress(),
                time(v.createdAt()), time(v.updatedAt()));
    }

    public Optional<Video> find(String id) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM videos WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("reading video " + id, e);
        }
    }

    /** Which of {@code ids} are videos (at most a thousand at once). */
    public Set<String> existing(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM videos WHERE id IN (" + marks + ")")) {
            int i = 1;
            for (String id : ids) {
                ps.setString(i++, id);
            }
            Set<String> found = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        } catch (SQLException e) {
            throw failure("looking up " + ids.size() + " videos", e);
        }
    }

    /** Newest first, after {@code cursor} when given: what {@code caller} may see listed, or with {@code ownOnly} the user's own. */
    public List<Video> page(Caller caller, boolean ownOnly, VideoCursor cursor, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM videos WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (ownOnly) {
            sql.append(" AND owner_id = ?");
            args.add(caller.userId());
        } else if (caller.isAnonymous()) {
            sql.append(" AND visibility = 'public'");
        } else if (!caller.isAdmin()) {
            sql.append(" AND (visibility = 'public' OR owner_id = ?)");
            args.add(caller.userId());
        }
        if (cursor != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(time(cursor.createdAt()));
            args.add(time(cursor.createdAt()));
            args.add(cursor.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        args.add(limit);
        return select(sql.toString(), "listing videos", args.toArray());
    }

    /** @return how many rows changed: 0 when the video is gone */
    public int updateDetails(String id, String title, String description, Visibility visibility, Instant now) {
        return update("UPDATE videos SET title = ?, description = ?, visibility = ?, updated_at = ? WHERE id = ?",
                title, description, visibility.value(), time(now), id);
    }

    /** The ids of the videos after {@code afterId} (from the first when null), in id order, at most {@code limit}. */
    public List<String> idsAfter(String afterId, int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM videos WHERE id > ? ORDER BY id LIMIT ?")) {
            ps.setString(1, afterId == null ? "" : afterId);
            ps.setInt(2, limit);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw failure("listing video ids", e);
        }
    }

    /**
     * Runs {@code action} on the video's visibility while its row is locked (SELECT … FOR UPDATE),
     * so that no change or deletion of the video commits until it returns.
     *
     * @return what {@code action} returned; false when there is no such video
     */
    public boolean withRowLocked(String id, Predicate<Visibility> action) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT visibility FROM videos WHERE id = ? FOR UPDATE")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() && action.test(Visibility.parse(rs.getString(1)).orElseThrow());
                    }
                }
            });
        } catch (SQLException e) {
            throw failure("locking video " + id, e);
        }
    }

    /** Every video of the owner's, recordings of their channels among them. */
    public List<Video> ownedBy(String ownerId) {
        return select("SELECT " + COLUMNS + " FROM videos WHERE owner_id = ?", "listing the videos of user " + ownerId, ownerId);
    }

    private List<Video> select(String sql, String what, Object... args) {
        return query(what, sql, VideoRepository::read, args);
    }

    /** One row of a query's result, read. */
    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String what, String sql, Row<T> row, Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    public boolean delete(String id) {
        return update("DELETE FROM videos WHERE id = ?", id) > 0;
    }

    /** Bytes of a new source are on their way; any earlier failure is forgotten. */
    public boolean markUploading(String id, Instant now) {
        return update("UPDATE videos SET status = 'uploading', progress = 0, error_code = NULL, error_message = NULL, "
                + "updated_at = ? WHERE id = ? AND " + ACCEPTS_UPLOAD, time(now), id) > 0;
    }

    /** The source is complete in storage and job {@code jobId} goes to the outbox in the same transaction {@code c}. */
    public boolean markQueued(Connection c, String id, String jobId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE videos SET status = 'queued', progress = 0, job_id = ?, "
                + "error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ? AND " + ACCEPTS_UPLOAD)) {
            bind(ps, new Object[] {jobId, time(now), id});
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Videos still {@code uploading} since before {@code before} whose latest upload (made when the
     * video became uploading, not one of an earlier source) completed while none is open: their
     * node stopped between completing the upload and queueing the video. A single {@code PUT} of a
     * source makes no upload row, so one in progress is never taken for this.
     */
    public List<String> uploadedButNotQueued(Instant before, int limit) {
        return ids("SELECT id FROM videos WHERE status = 'uploading' AND updated_at < ? "
                + "AND EXISTS (SELECT 1 FROM uploads WHERE uploads.video_id = videos.id AND uploads.state = 'completed' "
                + "AND uploads.created_at >= videos.updated_at) "
                + "AND NOT EXISTS (SELECT 1 FROM uploads WHERE uploads.video_id = videos.id AND uploads.state = 'open') "
                + "ORDER BY updated_at FETCH FIRST " + limit + " ROWS ONLY", time(before));
    }

    /** A queued or processing video and the job it waits for (null for one queued before jobs had ids). */
    public record Waiting(String id, String jobId) {
    }

    /** Queued or processing uploads (not recordings: they wait for their stream) that made no progress since {@code before}. */
    public List<Waiting> withoutProgressSince(Instant before, int limit) {
        return waiting("SELECT id, job_id FROM videos WHERE status IN ('queued', 'processing') AND updated_at < ? "
                + "AND NOT EXISTS (SELECT 1 FROM streams WHERE streams.id = videos.id) ORDER BY updated_at FETCH FIRST "
                + limit + " ROWS ONLY", time(before));
    }

    /**
     * Recordings still processing of streams that ended before {@code endedBefore}: never asked
     * for, or asked for before {@code askedBefore} without coming.
     */
    public List<Waiting> recordingsOwed(Instant endedBefore, Instant askedBefore, int limit) {
        return waiting("SELECT v.id, v.job_id FROM videos v JOIN streams s ON s.id = v.id WHERE v.status = 'processing' "
                + "AND s.status = 'ended' AND s.ended_at < ? AND (v.job_id IS NULL OR v.updated_at < ?) "
                + "ORDER BY s.ended_at FETCH FIRST " + limit + " ROWS ONLY", time(endedBefore), time(askedBefore));
    }

    /** In {@code c}'s transaction: the recording is still owed; it is asked for as job {@code jobId} from {@code now}. */
    public boolean recordingAsked(Connection c, String id, String jobId, Instant askedBefore, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE videos SET job_id = ?, updated_at = ? WHERE id = ? "
                + "AND status = 'processing' AND (job_id IS NULL OR updated_at < ?)")) {
            bind(ps, new Object[] {jobId, time(now), id, time(askedBefore)});
            return ps.executeUpdate() > 0;
        }
    }

    private List<Waiting> waiting(String sql, Object... args) {
        return query("listing videos waiting", sql, rs -> new Waiting(rs.getString(1), rs.getString(2)), args);
    }

    /**
     * In {@code c}'s transaction: the video is still waiting without progress since {@code before}; it
     * is given {@code jobId} and counts as waiting from {@code now}.
     */
    public boolean redriven(Connection c, String id, String jobId, Instant before, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE videos SET job_id = ?, updated_at = ? WHERE id = ? "
                + "AND status IN ('queued', 'processing') AND updated_at < ?")) {
            bind(ps, new Object[] {jobId, time(now), id, time(before)});
            return ps.executeUpdate() > 0;
        }
    }

    private List<String> ids(String sql, Object... args) {
        return query("listing videos", sql, rs -> rs.getString(1), args);
    }

    /** Back to created once the last upload in progress was given up (terminated, aborted, expired). */
    public boolean revertToCreatedIfIdle(String id, Instant now) {
        return update("UPDATE videos SET status = 'created', updated_at = ? WHERE id = ? AND status = 'uploading' "
                + "AND NOT EXISTS (SELECT 1 FROM uploads WHERE uploads.video_id = videos.id AND uploads.state = 'open')",
                time(now), id) > 0;
    }

    // What video.events says. A new upload is the only way out of ready or failed.

    public boolean queuedByEvent(String id, Instant now) {
        return update("UPDATE videos SET status = 'queued', updated_at = ? WHERE id = ? "
                + "AND status IN ('created', 'uploading', 'queued')", time(now), id) > 0;
    }

    public boolean processing(String id, Instant now) {
        return update("UPDATE videos SET status = 'processing', progress = 0, updated_at = ? WHERE id = ? "
                + "AND status IN ('queued', 'processing')", time(now), id) > 0;
    }

    public boolean progress(String id, double progress, Instant now) {
        return update("UPDATE videos SET status = 'processing', progress = ?, updated_at = ? WHERE id = ? "
                + "AND status IN ('queued', 'processing')", progress, time(now), id) > 0;
    }

    /** Also from failed: a job the worker retried after reporting a failure may still finish. */
    public boolean ready(String id, Double durationSeconds, String sourceJson, String renditionsJson, Instant now) {
        return update("UPDATE videos SET status = 'ready', progress = 1, error_code = NULL, error_message = NULL, "
                        + "duration_seconds = ?, source_json = ?, renditions_json = ?, updated_at = ? WHERE id = ? "
                        + "AND status IN ('queued', 'processing', 'failed')",
                durationSeconds, sourceJson, renditionsJson, time(now), id) > 0;
    }

    public boolean failed(String id, String code, String message, Instant now) {
        return update("UPDATE videos SET status = 'failed', error_code = ?, error_message = ?, updated_at = ? "
                        + "WHERE id = ? AND status IN ('queued', 'processing')",
                clip(code, 64), clip(message, 1000), time(now), id) > 0;
    }

    private int update(String sql, Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("updating videos", e);
        }
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private static Video read(ResultSet rs) throws SQLException {
        double duration = rs.getDouble("duration_seconds");
        Double durationSeconds = rs.wasNull() ? null : duration;
        return new Video(rs.getString("id"), rs.getString("owner_id"), rs.getString("title"),
                rs.getString("description"), Visibility.parse(rs.getString("visibility")).orElseThrow(),
                VideoStatus.of(rs.getString("status")), rs.getDouble("progress"), rs.getString("error_code"),
                rs.getString("error_message"), durationSeconds, rs.getString("source_json"),
                rs.getString("renditions_json"), instant(rs, "created_at"), instant(rs, "updated_at"),
                rs.getString("channel_id"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static OffsetDateTime time(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException(what + ": " + e.getMessage(), e);
    }
}
