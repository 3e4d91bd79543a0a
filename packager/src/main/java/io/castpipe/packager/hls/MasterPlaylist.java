package io.castpipe.packager.hls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A master playlist as {@link MasterPlaylistWriter} writes it, read back into its variants. */
public final class MasterPlaylist {
    private MasterPlaylist() {
    }

    /** @throws IllegalArgumentException when the text is not a master playlist with variants */
    public static List<Variant> parse(String text) {
        if (!text.startsWith("#EXTM3U")) {
            throw new IllegalArgumentException("not an HLS playlist");
        }
        List<Variant> variants = new ArrayList<>();
        Map<String, String> pending = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("#EXT-X-STREAM-INF:")) {
                pending = attributes(line.substring("#EXT-X-STREAM-INF:".length()));
            } else if (pending != null && !line.isEmpty() && !line.startsWith("#")) {
                String[] size = pending.getOrDefault("RESOLUTION", "0x0").split("x");
                String codecs = pending.getOrDefault("CODECS", "");
                variants.add(new Variant(line, Long.parseLong(pending.get("BANDWIDTH")),
                        Long.parseLong(pending.getOrDefault("AVERAGE-BANDWIDTH", pending.get("BANDWIDTH"))),
                        Integer.parseInt(size[0]), Integer.parseInt(size[1]),
                        codecs.isEmpty() ? List.of() : Arrays.asList(codecs.split(",")),
                        Double.parseDouble(pending.getOrDefault("FRAME-RATE", "0"))));
                pending = null;
            }
        }
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("a master playlist without variants");
        }
        return variants;
    }

    /** An attribute list (RFC 8216 §4.2): NAME=value pairs, values quoted when they hold commas. */
    private static Map<String, String> attributes(String list) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < list.length()) {
            int eq = list.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = list.substring(i, eq);
            int end;
            String value;
            if (eq + 1 < list.length() && list.charAt(eq + 1) == '"') {
                end = list.indexOf('"', eq + 2);
                value = list.substring(eq + 2, end);
                end++;
            } else {
                end = list.indexOf(',', eq);
                end = end < 0 ? list.length() : end;
                value = list.substring(eq + 1, end);
            }
            out.put(name, value);
            i = end + 1;
        }
        return out;
    }
}
