package io.castpipe.packager.live;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link PlaylistSnapshot} as an HLS media playlist (RFC 8216): EXT-X-MAP before the
 * first segment and wherever the init segment changes, EXT-X-PROGRAM-DATE-TIME (UTC, milliseconds)
 * and EXTINF (three decimals) on every segment, EXT-X-DISCONTINUITY where the source restarted,
 * EXT-X-ENDLIST once ended; the live form announces blocking reload (EXT-X-SERVER-CONTROL), the
 * VOD form adds EXT-X-PLAYLIST-TYPE:VOD.
 *
 * <p>With a part target (LL-HLS, RFC 8216bis): EXT-X-PART-INF, PART-HOLD-BACK of three part
 * targets, EXT-X-PART lines for the segments that end within three target durations of the live
 * edge and for the segment being cut, and EXT-X-PRELOAD-HINT for the part that comes next; while
 * the stream runs, CAN-SKIP-UNTIL for delta updates ({@link PlaylistSnapshot#delta()}, written with
 * EXT-X-SKIP) and an EXT-X-RENDITION-REPORT per sibling rendition.
 */
public final class LivePlaylistWriter {
    static final DateTimeFormatter PROGRAM_DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private LivePlaylistWriter() {
    }

    public static String write(PlaylistSnapshot p) {
        boolean parts = p.partTarget() > 0 && p.type() == PlaylistSnapshot.Type.LIVE;
        StringBuilder b = new StringBuilder(256 + 160 * p.segments().size());
        b.append("#EXTM3U\n");
        b.append("#EXT-X-VERSION:").append(p.version()).append('\n');
        b.append("#EXT-X-TARGETDURATION:").append(p.targetDuration()).append('\n');
        if (p.type() == PlaylistSnapshot.Type.VOD) {
            b.append("#EXT-X-PLAYLIST-TYPE:VOD\n");
        } else {
            // Every origin holds a request for a segment or part not yet listed until it is (RFC 8216bis §6.2.5.2).
            b.append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES");
            if (parts) {
                b.append(",PART-HOLD-BACK=").append(seconds(3 * p.partTarget()));
            }
            if (p.lowLatencyLive()) {
                b.append(",CAN-SKIP-UNTIL=").append(seconds(p.canSkipUntil()));
            }
            b.append('\n');
        }
        if (parts) {
            b.append("#EXT-X-PART-INF:PART-TARGET=").append(seconds(p.partTarget())).append('\n');
        }
        b.append("#EXT-X-MEDIA-SEQUENCE:").append(p.mediaSequence()).append('\n');
        if (p.discontinuitySequence() > 0) {
            b.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(p.discontinuitySequence()).append('\n');
        }
        b.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (p.skipped() > 0) {
            b.append("#EXT-X-SKIP:SKIPPED-SEGMENTS=").append(p.skipped()).append('\n');
        }
        // Parts are listed for the segments that end within three target durations of the live edge.
        double partsFrom = Double.MAX_VALUE;
        if (parts) {
            double toEdge = p.open() == null ? 0 : p.open().parts().stream().mapToDouble(PlaylistSnapshot.Part::duration).sum();
            partsFrom = 3.0 * p.targetDuration() - toEdge;
        }
        // Summed from the end, so that a delta update lists the same parts as the whole playlist.
        double[] after = new double[p.segments().size()];
        for (int i = after.length - 2; i >= 0; i--) {
            after[i] = after[i + 1] + p.segments().get(i + 1).duration();
        }
        String map = null;
        boolean first = p.skipped() == 0;
        for (int i = 0; i < after.length; i++) {
            PlaylistSnapshot.Segment s = p.segments().get(i);
            map = head(b, s.discontinuity() && !first, s.mapUri(), map, s.programDateTime());
            if (parts && after[i] < partsFrom) {
                partLines(b, s.parts());
            }
            b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", s.duration())).append(",\n");
            b.append(s.uri()).append('\n');
            first = false;
        }
        if (parts && p.open() != null && !p.ended()) {
            PlaylistSnapshot.OpenSegment o = p.open();
            head(b, o.discontinuity() && !first, o.mapUri(), map, o.programDateTime());
            partLines(b, o.parts());
        }
        if (parts && !p.ended()) {
            b.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"").append(nextPart(p)).append("\"\n");
        }
        if (p.lowLatencyLive()) {
            for (PlaylistSnapshot.RenditionReport r : p.reports()) {
                b.append("#EXT-X-RENDITION-REPORT:URI=\"../").append(r.rendition()).append('/').append(LiveNames.PLAYLIST)
                        .append("\",LAST-MSN=").append(r.lastMsn());
                if (r.lastPart() >= 0) {
                    b.append(",LAST-PART=").append(r.lastPart());
                }
                b.append('\n');
            }
        }
        if (p.ended()) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString();
    }

    /**
     * The part that comes next: the next of the open segment, or the first of the next segment
     * once the open one is as long as a segment (the encoder puts a keyframe there).
     */
    private static String nextPart(PlaylistSnapshot p) {
        PlaylistSnapshot.OpenSegment o = p.open();
        if (o == null) {
            return LiveNames.part(p.nextSequence(), 0);
        }
        double cut = o.parts().stream().mapToDouble(PlaylistSnapshot.Part::duration).sum();
        return cut < 0.95 * p.targetDuration() ? LiveNames.part(o.sequence(), o.parts().size())
                : LiveNames.part(o.sequence() + 1, 0);
    }

    /** The lines before a segment's media: discontinuity, init segment when it changes, date; returns the init segment in use. */
    private static String head(StringBuilder b, boolean discontinuity, String mapUri, String map, java.time.Instant date) {
        // The first listed segment's discontinuity is counted by EXT-X-DISCONTINUITY-SEQUENCE.
        if (discontinuity) {
            b.append("#EXT-X-DISCONTINUITY\n");
        }
        if (!mapUri.equals(map)) {
            b.append("#EXT-X-MAP:URI=\"").append(mapUri).append("\"\n");
        }
        b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PROGRAM_DATE_TIME.format(date)).append('\n');
        return mapUri;
    }

    private static void partLines(StringBuilder b, List<PlaylistSnapshot.Part> parts) {
        for (PlaylistSnapshot.Part part : parts) {
            b.append("#EXT-X-PART:DURATION=").append(seconds(part.duration())).append(",URI=\"").append(part.uri()).append('"');
            if (part.independent()) {
                b.append(",INDEPENDENT=YES");
            }
            b.append('\n');
        }
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }
}
