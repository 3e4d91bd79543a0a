package io.castpipe.origin.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The gzipped form of recently served texts, by entity tag: a live playlist version is asked
 * for by every viewer (10,000 blocked reloads answered at once ask for the same bytes), so it
 * is compressed once, not once per request. Bounded by entries; the least recently used goes.
 */
final class GzippedCopies {
    private final int maxEntries;
    private final Map<String, byte[]> copies;

    GzippedCopies(int maxEntries) {
        this.maxEntries = maxEntries;
        this.copies = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > GzippedCopies.this.maxEntries;
            }
        };
    }

    /** The gzipped {@code content}, whose entity tag is {@code etag}. */
    byte[] of(String etag, byte[] content) {
        synchronized (copies) {
            byte[] known = copies.get(etag);
            if (known != null) {
                return known;
            }
        }
        byte[] gzipped = gzip(content);
        synchronized (copies) {
            copies.put(etag, gzipped);
        }
        return gzipped;
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length / 3 + 32);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
