package io.castpipe.api.streams;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.castpipe.common.db.Database;

/** The streams table. Writes are idempotent, so a replayed stream event changes nothing. */
public final class StreamRepository {
    /** Seconds always shown: {@code LocalTime.toString()} drops them when they are zero. */
    private static final DateTimeFormatter STARTED_AT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    /** The size of the videos.title column. */
    private static final int MAX_VIDEO_TITLE = 200;
    private static final String SELECT = "SELECT s.id, s.channel_id, c.name, s.status, s.started_at, s.ended_at, "
            + "s.video_codec, s.audio_codec, s.metadata_json, s.end_reason, s.ingest_json, s.ladder_json "
            + "FROM streams s JOIN channels c ON c.id = s.channel_id";

    private final Database db;

    public StreamRepository(Database db) {
        this.db = db;
    }

    public boolean channelExists(String channelId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM channels WHERE id = ?")) {
            ps.setString(1, channelId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Records a started stream unless it is known already; false when its channel does not exist. */
    public boolean started(String id, String channelId, Instant at, String videoCodec, String audioCodec,
                           String metadataJson) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO streams (id, channel_id, status, started_at, video_codec, audio_codec, metadata_json) "
                        + "SELECT ?, id, 'live', ?, ?, ?, ? FROM channels WHERE id = ? "
                        + "AND NOT EXISTS (SELECT 1 FROM streams WHERE id = ?)")) {
            ps.setString(1, id);
            ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setString(3, videoCodec);
            ps.setString(4, audioCodec);
            ps.setString(5, metadataJson);
            ps.setString(6, channelId);
            ps.setString(7, id);
            return ps.executeUpdate() == 1 || find(id).isPresent();
        }
    }

    /**
     * The video the stream will become, owned by the channel's owner and titled after the channel
     * and the start ({@code "{channel title} — live 2026-12-07 10:11:12 UTC"}, the channel title
     * shortened so that the whole fits a video title); it shows as processing until the transcoder
     * announces the recording ready.
     */
    public void recordingVideo(String streamId, String channelId, Instant at) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO videos (id, owner_id, channel_id, title, description, visibility, status, progress, "
                        + "created_at, updated_at) SELECT ?, owner_id, id, LEFT(title, ?) || ?, '', 'public', 'processing', "
                        + "0, ?, ? FROM channels WHERE id = ? AND NOT EXISTS (SELECT 1 FROM videos WHERE id = ?)")) {
            OffsetDateTime when = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
            String live = " — live " + STARTED_AT.format(when) + " UTC";
            ps.setString(1, streamId);
            ps.setInt(2, Math.max(0, MAX_VIDEO_TITLE - live.length()));
            ps.setString(3, live);
            ps.setObject(4, when);
            ps.setObject(5, when);
            ps.setString(6, channelId);
            ps.setString(7, streamId);
            ps.executeUpdate();
        }
    }

    public void ended(String id, Instant at, String reason) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE streams SET status = 'ended', ended_at = ?, end_reason = ? WHERE id = ? AND status = 'live'")) {
            ps.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setString(2, reason == null ? null : reason.substring(0, Math.min(reason.length(), 200)));
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    /** Keeps the figures ingest measured at {@code measuredAt}, unless newer ones are there already. */
    public void measured(String id, Instant measuredAt, String ingestJson) throws SQLException {
        keepNewest("ingest_json", "ingest_measured_at", id, measuredAt, ingestJson);
    }

    /** Keeps what the transcoder said of the stream's ladder at {@code measuredAt}, unless something newer is there already. */
    public void ladder(String id, Instant measuredAt, String ladderJson) throws SQLException {
        keepNewest("ladder_json", "ladder_measured_at", id, measuredAt, ladderJson);
    }

    /** A replayed older report changes nothing. */
    private void keepNewest(String column, String atColumn, String id, Instant measuredAt, String json) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE streams SET " + column + " = ?, " + atColumn + " = ? WHERE id = ? "
                        + "AND (" + atColumn + " IS NULL OR " + atColumn + " < ?)")) {
            OffsetDateTime at = OffsetDateTime.ofInstant(measuredAt, ZoneOffset.UTC);
            ps.setString(1, json);
            ps.setObject(2, at);
            ps.setString(3, id);
            ps.setObject(4, at);
            ps.executeUpdate();
        }
    }

    /** Ingest said the live stream is still coming in, at {@code at} (as the API heard it). */
    public void seen(String id, Instant at) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE streams SET last_seen_at = ? WHERE id = ? AND status = 'live'")) {
            ps.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    /** A live stream, its channel's name, and when ingest last spoke of it. */
    public record Silent(String id, String channelId, String channelName, Instant lastSeen) {
    }

    /** Live streams last heard of before {@code before} (never those not heard of at all). */
    public List<Silent> silentSince(Instant before, int limit) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT s.id, s.channel_id, c.name, s.last_seen_at FROM streams s JOIN channels c ON c.id = s.channel_id "
                        + "WHERE s.status = 'live' AND s.last_seen_at < ? ORDER BY s.last_seen_at LIMIT ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            ps.setInt(2, limit);
            List<Silent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Silent(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        }
    }

    /** In {@code c}'s transaction: ends the stream if it is still live and silent since {@code before}. */
    public boolean endIfSilent(Connection c, String id, Instant before, Instant now, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE streams SET status = 'ended', ended_at = ?, end_reason = ? "
                + "WHERE id = ? AND status = 'live' AND last_seen_at < ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.setString(2, reason);
            ps.setString(3, id);
            ps.setObject(4, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            return ps.executeUpdate() > 0;
        }
    }

    public Optional<LiveStream> find(String id) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(SELECT + " WHERE s.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public List<LiveStream> live(int limit) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                SELECT + " WHERE s.status = 'live' ORDER BY s.started_at DESC LIMIT ?")) {
            ps.setInt(1, limit);
            List<LiveStream> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private static LiveStream read(ResultSet rs) throws SQLException {
        OffsetDateTime ended = rs.getObject(6, OffsetDateTime.class);
        return new LiveStream(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(), ended == null ? null : ended.toInstant(),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12));
    }
}
