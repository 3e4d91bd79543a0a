package io.castpipe.packager.live;

import java.time.Instant;
import java.util.List;

/**
 * An immutable picture of a media playlist at one moment, which {@link LivePlaylistWriter}
 * renders. Everything a line of the playlist needs is here, so LL-HLS (EXT-X-PART per part,
 * EXT-X-PRELOAD-HINT, EXT-X-SERVER-CONTROL, EXT-X-PART-INF) adds fields and lines, not a new model.
 *
 * @param targetDuration  EXT-X-TARGETDURATION, whole seconds
 * @param mediaSequence   sequence number of the first segment listed
 * @param discontinuitySequence discontinuity sequence number of the first segment listed
 * @param ended           the stream has ended: EXT-X-ENDLIST
 * @param partTarget      EXT-X-PART-INF's PART-TARGET in seconds; 0 when the playlist lists no parts
 * @param open            the segment being cut, of which only parts exist yet; null when none
 * @param skipped         how many segments before {@code segments} a delta update leaves out (EXT-X-SKIP); 0 in a whole playlist
 * @param reports         the newest segment and part of each sibling rendition (EXT-X-RENDITION-REPORT)
 */
public record PlaylistSnapshot(int version, Type type, int targetDuration, long mediaSequence,
                               long discontinuitySequence, boolean ended, List<Segment> segments,
                               double partTarget, OpenSegment open, int skipped, List<RenditionReport> reports) {
    /** EXT-X-SKIP needs version 9 (RFC 8216bis §7). */
    public static final int DELTA_VERSION = 9;
    /** CAN-SKIP-UNTIL in target durations: the least RFC 8216bis §4.4.3.8 allows. */
    public static final int SKIP_TARGET_DURATIONS = 6;

    public enum Type {
        /** a sliding window of a running (or just ended) live stream */
        LIVE,
        /** every segment of a finished stream: EXT-X-PLAYLIST-TYPE:VOD */
        VOD
    }

    public PlaylistSnapshot {
        segments = List.copyOf(segments);
        reports = List.copyOf(reports);
    }

    /** The same playlist as whole segments only: what a reader that cannot fetch parts gets. */
    public PlaylistSnapshot withoutParts() {
        return new PlaylistSnapshot(version, type, targetDuration, mediaSequence, discontinuitySequence, ended, segments,
                0, null, skipped, List.of());
    }

    public PlaylistSnapshot withReports(List<RenditionReport> siblings) {
        return new PlaylistSnapshot(version, type, targetDuration, mediaSequence, discontinuitySequence, ended, segments,
                partTarget, open, skipped, siblings);
    }

    /** Whether this is a running LL-HLS playlist, the only kind that offers delta updates and rendition reports. */
    public boolean lowLatencyLive() {
        return partTarget > 0 && type == Type.LIVE && !ended;
    }

    /** EXT-X-SERVER-CONTROL's CAN-SKIP-UNTIL, the Skip Boundary in seconds. */
    public double canSkipUntil() {
        return SKIP_TARGET_DURATIONS * targetDuration;
    }

    /**
     * The delta update answering {@code _HLS_skip=YES} (RFC 8216bis §6.2.5.1): the oldest segments
     * that end more than {@link #canSkipUntil()} before the last one ends are left out; the media
     * and discontinuity sequence numbers stay those of the first one left out. Empty when there is
     * nothing to leave out or the playlist offers no delta updates.
     */
    public java.util.Optional<PlaylistSnapshot> delta() {
        if (!lowLatencyLive() || skipped > 0) {
            return java.util.Optional.empty();
        }
        // Counted back from the end: once the segments from i on last CAN-SKIP-UNTIL, every one before i may go.
        int n = 0;
        double after = 0;
        for (int i = segments.size() - 1; i > 0; i--) {
            after += segments.get(i).duration();
            if (after >= canSkipUntil()) {
                n = i;
                break;
            }
        }
        if (n == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new PlaylistSnapshot(DELTA_VERSION, type, targetDuration, mediaSequence,
                discontinuitySequence, ended, segments.subList(n, segments.size()), partTarget, open, n, reports));
    }

    /** Where this playlist stands, as a sibling's EXT-X-RENDITION-REPORT tells it; empty while it lists nothing. */
    public java.util.Optional<RenditionReport> reportAs(String rendition) {
        if (open != null && !open.parts().isEmpty()) {
            return java.util.Optional.of(new RenditionReport(rendition, open.sequence(), open.parts().size() - 1));
        }
        if (segments.isEmpty()) {
            return java.util.Optional.empty();
        }
        Segment last = segments.get(segments.size() - 1);
        return java.util.Optional.of(new RenditionReport(rendition, last.sequence(), last.parts().size() - 1));
    }

    /** The media sequence number the next segment will have. */
    public long nextSequence() {
        return mediaSequence + skipped + segments.size();
    }

    /** The segment being cut: its sequence number, date, whether a discontinuity precedes it, its init segment and parts so far. */
    public record OpenSegment(long sequence, Instant programDateTime, boolean discontinuity, String mapUri, List<Part> parts) {
        public OpenSegment {
            parts = List.copyOf(parts);
        }
    }

    /**
     * One segment line: its URI and EXTINF duration, the date of its first sample, whether a
     * discontinuity comes before it, the init segment (EXT-X-MAP) it needs, and its parts.
     */
    public record Segment(long sequence, String uri, double duration, Instant programDateTime,
                          boolean discontinuity, String mapUri, List<Part> parts) {
        public Segment {
            parts = List.copyOf(parts);
        }
    }

    /**
     * Where a sibling rendition of the same stream stands: the media sequence number of its
     * newest segment or part and the index of that part (-1 when it lists no parts).
     */
    public record RenditionReport(String rendition, long lastMsn, int lastPart) {
    }

    /** One part of a segment, for EXT-X-PART lines. */
    public record Part(int index, String uri, double duration, boolean independent) {
    }
}
