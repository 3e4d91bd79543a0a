package io.castpipe.origin.live;

import java.nio.charset.StandardCharsets;

/**
 * What a blocking reload needs to know of a live media playlist: its target duration, the media
 * sequence number of the last segment it lists (-1 when it lists none) and whether it has ended.
 */
record PlaylistHead(int targetDuration, long lastSequence, boolean ended) {
    private static final int DEFAULT_TARGET = 6;

    static PlaylistHead parse(byte[] playlist) {
        int target = DEFAULT_TARGET;
        long first = 0;
        long segments = 0;
        boolean ended = false;
        for (String line : new String(playlist, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("#EXT-X-TARGETDURATION:")) {
                target = Math.max(1, (int) number(line, DEFAULT_TARGET));
            } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                first = number(line, 0);
            } else if (line.startsWith("#EXTINF:")) {
                segments++;
            } else if (line.startsWith("#EXT-X-ENDLIST")) {
                ended = true;
            }
        }
        return new PlaylistHead(target, first + segments - 1, ended);
    }

    private static long number(String line, long fallback) {
        try {
            return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
