package io.castpipe.origin.http;

/** Entity-tag comparisons for {@code If-None-Match} and {@code If-Range} (RFC 9110 §8.8.3, §13). */
public final class EntityTags {
    private EntityTags() {
    }

    /** The tag of the gzip-encoded form of a representation tagged {@code etag}. */
    public static String gzipped(String etag) {
        return etag.substring(0, etag.length() - 1) + "-gz\"";
    }

    /**
     * Whether an {@code If-None-Match} value names any of {@code etags} (weak comparison: a
     * {@code W/} prefix is ignored), or is {@code *}.
     */
    public static boolean noneMatchHits(String header, String... etags) {
        if (header == null) {
            return false;
        }
        String h = header.trim();
        if (h.equals("*")) {
            return true;
        }
        int i = 0;
        while (i < h.length()) {
            char c = h.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            if (h.startsWith("W/", i)) {
                i += 2;
            }
            if (i >= h.length() || h.charAt(i) != '"') {
                return false;
            }
            int end = h.indexOf('"', i + 1);
            if (end < 0) {
                return false;
            }
            String tag = h.substring(i, end + 1);
            for (String etag : etags) {
                if (tag.equals(etag)) {
                    return true;
                }
            }
            i = end + 1;
        }
        return false;
    }

    /** Whether an {@code If-Range} value lets a range through: only a strong tag equal to {@code etag}. */
    public static boolean ifRangeHolds(String header, String etag) {
        return header == null || header.trim().equals(etag);
    }
}
