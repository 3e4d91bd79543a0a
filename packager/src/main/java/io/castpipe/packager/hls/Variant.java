package io.castpipe.packager.hls;

import java.util.List;

/**
 * One entry of a master playlist. {@code bandwidth} is the peak segment bit rate and
 * {@code averageBandwidth} the whole rendition's, both in bits per second, as RFC 8216 defines them.
 */
public record Variant(String uri, long bandwidth, long averageBandwidth, int width, int height,
                      List<String> codecs, double frameRate) {

    /** Measures a rendition from its playlist and the byte size of each of its segments. */
    public static Variant measure(String uri, MediaPlaylist playlist, long initBytes, List<Long> segmentBytes,
                                  int width, int height, List<String> codecs, double frameRate) {
        if (segmentBytes.size() != playlist.segments().size()) {
            throw new IllegalArgumentException("sizes for " + segmentBytes.size() + " of "
                    + playlist.segments().size() + " segments");
        }
        double peak = 0;
        long total = initBytes;
        for (int i = 0; i < segmentBytes.size(); i++) {
            double seconds = playlist.segments().get(i).durationSeconds();
            long bytes = segmentBytes.get(i);
            total += bytes;
            // A very short last segment would overstate the peak; measure it over at least one second.
            peak = Math.max(peak, bytes * 8 / Math.max(seconds, 1.0));
        }
        double duration = Math.max(playlist.durationSeconds(), 0.001);
        return new Variant(uri, Math.round(peak), Math.round(total * 8 / duration), width, height, codecs, frameRate);
    }
}
