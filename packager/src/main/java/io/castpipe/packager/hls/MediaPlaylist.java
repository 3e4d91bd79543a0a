package io.castpipe.packager.hls;

import java.util.ArrayList;
import java.util.List;

/** A VOD media playlist, read back: its init segment and its segments with their durations. */
public record MediaPlaylist(String mapUri, List<Segment> segments) {

    public record Segment(String uri, double durationSeconds) {
    }

    public double durationSeconds() {
        return segments.stream().mapToDouble(Segment::durationSeconds).sum();
    }

    /** @throws IllegalArgumentException when the text is not an HLS media playlist */
    public static MediaPlaylist parse(String text) {
        if (!text.startsWith("#EXTM3U")) {
            throw new IllegalArgumentException("not an HLS playlist");
        }
        String map = null;
        List<Segment> segments = new ArrayList<>();
        Double pending = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("#EXT-X-MAP:")) {
                int start = line.indexOf("URI=\"");
                if (start >= 0) {
                    map = line.substring(start + 5, line.indexOf('"', start + 5));
                }
            } else if (line.startsWith("#EXTINF:")) {
                String value = line.substring(8);
                int comma = value.indexOf(',');
                pending = Double.parseDouble(comma < 0 ? value : value.substring(0, comma));
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                if (pending == null) {
                    throw new IllegalArgumentException("segment " + line + " has no #EXTINF");
                }
                segments.add(new Segment(line, pending));
                pending = null;
            }
        }
        return new MediaPlaylist(map, List.copyOf(segments));
    }
}
