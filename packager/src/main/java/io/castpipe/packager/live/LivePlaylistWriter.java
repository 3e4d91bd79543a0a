package io.castpipe.packager.live;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Renders a {@link PlaylistSnapshot} as an HLS media playlist (RFC 8216): EXT-X-MAP before the
 * first segment and wherever the init segment changes, EXT-X-PROGRAM-DATE-TIME (UTC, milliseconds)
 * and EXTINF (three decimals) on every segment, EXT-X-DISCONTINUITY where the source restarted,
 * EXT-X-ENDLIST once ended; the live form announces blocking reload (EXT-X-SERVER-CONTROL), the
 * VOD form adds EXT-X-PLAYLIST-TYPE:VOD.
 */
public final class LivePlaylistWriter {
    static final DateTimeFormatter PROGRAM_DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private LivePlaylistWriter() {
    }

    public static String write(PlaylistSnapshot p) {
        StringBuilder b = new StringBuilder(256 + 160 * p.segments().size());
        b.append("#EXTM3U\n");
        b.append("#EXT-X-VERSION:").append(p.version()).append('\n');
        b.append("#EXT-X-TARGETDURATION:").append(p.targetDuration()).append('\n');
        if (p.type() == PlaylistSnapshot.Type.VOD) {
            b.append("#EXT-X-PLAYLIST-TYPE:VOD\n");
        } else {
            // Every origin holds a request for a segment not yet listed until it is (RFC 8216bis §6.2.5.2).
            b.append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n");
        }
        b.append("#EXT-X-MEDIA-SEQUENCE:").append(p.mediaSequence()).append('\n');
        if (p.discontinuitySequence() > 0) {
            b.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(p.discontinuitySequence()).append('\n');
        }
        b.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        String map = null;
        boolean first = true;
        for (PlaylistSnapshot.Segment s : p.segments()) {
            // The first listed segment's discontinuity is counted by EXT-X-DISCONTINUITY-SEQUENCE.
            if (s.discontinuity() && !first) {
                b.append("#EXT-X-DISCONTINUITY\n");
            }
            if (!s.mapUri().equals(map)) {
                b.append("#EXT-X-MAP:URI=\"").append(s.mapUri()).append("\"\n");
                map = s.mapUri();
            }
            b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PROGRAM_DATE_TIME.format(s.programDateTime())).append('\n');
            b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", s.duration())).append(",\n");
            b.append(s.uri()).append('\n');
            first = false;
        }
        if (p.ended()) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString();
    }
}
