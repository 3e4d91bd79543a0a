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
 */
public record PlaylistSnapshot(int version, Type type, int targetDuration, long mediaSequence,
                               long discontinuitySequence, boolean ended, List<Segment> segments) {

    public enum Type {
        /** a sliding window of a running (or just ended) live stream */
        LIVE,
        /** every segment of a finished stream: EXT-X-PLAYLIST-TYPE:VOD */
        VOD
    }

    public PlaylistSnapshot {
        segments = List.copyOf(segments);
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
