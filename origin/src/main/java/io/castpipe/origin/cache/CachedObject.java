package io.castpipe.origin.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * One object held in memory: its storage key, its bytes (never modified after construction)
 * and a strong entity tag derived from the content, so every origin computes the same tag for
 * the same bytes.
 */
public final class CachedObject {
    private final String key;
    private final byte[] bytes;
    private final String etag;

    private CachedObject(String key, byte[] bytes, String etag) {
        this.key = key;
        this.bytes = bytes;
        this.etag = etag;
    }

    /** Takes ownership of {@code bytes}: the caller must not change them afterwards. */
    public static CachedObject of(String key, byte[] bytes) {
        return new CachedObject(key, bytes, contentTag(bytes));
    }

    public String key() {
        return key;
    }

    /** The content; shared, so callers must treat it as read-only. */
    public byte[] bytes() {
        return bytes;
    }

    public int size() {
        return bytes.length;
    }

    /** A strong entity tag, quoted as it goes on the wire. */
    public String etag() {
        return etag;
    }

    /** {@code "…"}: the first 128 bits of the SHA-256 of {@code bytes}, base64url. */
    public static String contentTag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16)) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return key + " (" + bytes.length + " bytes)";
    }
}
