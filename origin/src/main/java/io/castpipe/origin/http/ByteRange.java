package io.castpipe.origin.http;

import java.util.Locale;
import java.util.Optional;

/**
 * One byte range from a {@code Range} header (RFC 9110 §14): {@code bytes=a-b}, {@code bytes=a-}
 * or {@code bytes=-n}. Several ranges, other units and malformed values are not parsed: the
 * header is then ignored and the whole object is served, as the RFC allows.
 */
public final class ByteRange {
    private static final long OPEN = -1;

    private final long first;
    private final long last;
    private final long suffix;

    private ByteRange(long first, long last, long suffix) {
        this.first = first;
        this.last = last;
        this.suffix = suffix;
    }

    /** The single range in {@code header}, or null when there is none we honour. */
    public static ByteRange parse(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() < 7 || !h.substring(0, 6).toLowerCase(Locale.ROOT).equals("bytes=")) {
            return null;
        }
        String spec = h.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                return digits(b) ? new ByteRange(OPEN, OPEN, Long.parseLong(b)) : null;
            }
            if (!digits(a) || !(b.isEmpty() || digits(b))) {
                return null;
            }
            long from = Long.parseLong(a);
            long to = b.isEmpty() ? OPEN : Long.parseLong(b);
            if (to != OPEN && to < from) {
                return null;
            }
            return new ByteRange(from, to, OPEN);
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }

    /** The bytes of an object of {@code length} this range selects; empty when none (→ 416). */
    public Optional<Slice> resolve(long length) {
        if (length <= 0) {
            return Optional.empty();
        }
        if (suffix != OPEN) {
            return suffix == 0 ? Optional.empty() : Optional.of(new Slice(Math.max(0, length - suffix), length - 1, length));
        }
        if (first >= length) {
            return Optional.empty();
        }
        long end = last == OPEN ? length - 1 : Math.min(last, length - 1);
        return Optional.of(new Slice(first, end, length));
    }

    @Override
    public String toString() {
        return suffix != OPEN ? "bytes=-" + suffix : "bytes=" + first + "-" + (last == OPEN ? "" : String.valueOf(last));
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Bytes {@code first} to {@code last} inclusive of an object of {@code total} bytes. */
    public record Slice(long first, long last, long total) {
        public long length() {
            return last - first + 1;
        }

        public String contentRange() {
            return "bytes " + first + "-" + last + "/" + total;
        }
    }
}
