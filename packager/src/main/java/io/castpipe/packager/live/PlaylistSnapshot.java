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
 */
public record PlaylistSnapshot(int version, Type type, int targetDuration, long mediaSequence,
                               long discontinuitySequence, boolean ended, List<Segment> segments,
                               double partTarget, OpenSegment open) {

    public enum Type {
        /** a sliding window of a running (or just ended) live stream */
        LIVE,
        /** every segment of a finished stream: EXT-X-PLAYLIST-TYPE:VOD */
        VOD
    }

    public PlaylistSnapshot {
        segments = List.copyOf(segments);
    }

    /** The same playlist as whole segments only: what a reader that cannot fetch parts gets. */
    public PlaylistSnapshot withoutParts() {
        return new PlaylistSnapshot(version, type, targetDuration, mediaSequence, discontinuitySequence, ended, segments,
                0, null);
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

    /** One part of a segment, for EXT-X-PART lines. */
    public record Part(int index, String uri, double duration, boolean independent) {
    }
}
