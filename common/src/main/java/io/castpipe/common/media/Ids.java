package io.castpipe.common.media;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Ids of videos, channels, users and streams: 16 random characters of [0-9a-z]. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final Pattern VALID = Pattern.compile("[0-9a-z]{16}");

    private Ids() {
    }

    public static String newId() {
        char[] c = new char[16];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    /** True for a string that could be an id; anything else must never reach a storage key or a query. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    public static String require(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("not an id: " + (id == null ? "null" : id.length() > 40 ? id.substring(0, 40) + "…" : id));
        }
        return id;
    }
}
