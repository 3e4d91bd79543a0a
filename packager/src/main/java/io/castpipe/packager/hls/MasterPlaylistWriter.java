package io.castpipe.packager.hls;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Writes a master playlist: one EXT-X-STREAM-INF per variant, highest bandwidth first. */
public final class MasterPlaylistWriter {
    private MasterPlaylistWriter() {
    }

    public static String write(List<Variant> variants) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("a master playlist needs at least one variant");
        }
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        variants.stream().sorted(Comparator.comparingLong(Variant::bandwidth).reversed()).forEach(v -> {
            b.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(v.bandwidth())
                    .append(",AVERAGE-BANDWIDTH=").append(v.averageBandwidth())
                    .append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
            if (!v.codecs().isEmpty()) {
                b.append(",CODECS=\"").append(String.join(",", v.codecs())).append('"');
            }
            b.append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", v.frameRate())).append('\n');
            b.append(v.uri()).append('\n');
        });
        return b.toString();
    }
}
