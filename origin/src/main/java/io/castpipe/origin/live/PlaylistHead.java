package io.castpipe.origin.live;

import java.nio.charset.StandardCharsets;

/**
 * What a blocking reload needs to know of a live media playlist: its target duration and part
 * target (0 without parts), the media sequence numbers of the first and the last whole segment it
 * lists (last -1 when none), how many parts of the next, unfinished segment it lists, and whether
 * it has ended.
 */
record PlaylistHead(int targetDuration, double partTarget, long firstSegment, long lastSegment, int openParts,
                    boolean ended) {
    private static final int DEFAULT_TARGET = 6;

    static PlaylistHead parse(byte[] playlist) {
        int target = DEFAULT_TARGET;
        double partTarget = 0;
        long first = 0;
        long segments = 0;
        int partsSinceSegment = 0;
        boolean ended = false;
        for (String line : new String(playlist, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("#EXT-X-TARGETDURATION:")) {
                target = Math.max(1, (int) number(line, DEFAULT_TARGET));
            } else if (line.startsWith("#EXT-X-PART-INF:PART-TARGET=")) {
                partTarget = decimal(line.substring(line.indexOf('=') + 1));
            } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                first = number(line, 0);
            } else if (line.startsWith("#EXT-X-PART:")) {
                partsSinceSegment++;
            } else if (line.startsWith("#EXTINF:")) {
                segments++;
                partsSinceSegment = 0;
            } else if (line.startsWith("#EXT-X-ENDLIST")) {
                ended = true;
            }
        }
        return new PlaylistHead(target, partTarget, first, first + segments - 1, partsSinceSegment, ended);
    }

    /** The last segment the playlist has anything of: the unfinished one when it lists parts of it. */
    long lastSequence() {
        return openParts > 0 ? lastSegment + 1 : lastSegment;
    }

    /** Whether the playlist has segment {@code msn}, or with {@code part >= 0} that part of it (a whole segment has all its parts). */
    boolean has(long msn, int part) {
        return msn <= lastSegment || (part >= 0 && msn == lastSegment + 1 && part < openParts);
    }

    /**
     * RFC 8216bis §6.2.5.2's limits: no more than two segments past the last, and within the last
     * segment no more parts ahead than three part targets' worth (the Advance Part Limit).
     */
    boolean tooFarAhead(long msn, int part) {
        if (msn > lastSequence() + 2) {
            return true;
        }
        if (part < 0 || partTarget <= 0 || msn != lastSequence()) {
            return false;
        }
        int lastPart = msn == lastSegment + 1 ? openParts - 1 : -1;
        double advanceLimit = partTarget < 1 ? 3 / partTarget : 3;
        return part > lastPart + advanceLimit;
    }

    private static long number(String line, long fallback) {
        try {
            return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static double decimal(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
