package io.castpipe.common.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Uploads what is written to it with memory bounded by one part: a single PUT on close for a
 * small object, a multipart upload once the first part fills. The part's buffer grows with what
 * arrives, so a writer that stalls (a client sending slowly) holds what it sent, not a whole part.
 */
final class S3OutputStream extends ObjectOutputStream {
    private static final int FIRST_BUFFER = 64 * 1024;

    private final S3ObjectStore store;
    private final String key;
    private final String contentType;
    private final int partSize;
    private byte[] part;
    private final long maxBytes;
    private long written;
    private int filled;
    private int partNumber;
    private MultipartUpload upload;
    private boolean closed;

    S3OutputStream(S3ObjectStore store, String key, String contentType, long maxBytes) {
        this.store = store;
        this.key = key;
        this.contentType = contentType;
        this.maxBytes = maxBytes;
        this.partSize = store.partSize();
        this.part = new byte[Math.min(FIRST_BUFFER, partSize)];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        if (len > maxBytes - written) {
            abort();
            throw new ObjectTooLargeException(key, maxBytes);
        }
        written += len;
        while (len > 0) {
            if (filled == part.length) {
                part = Arrays.copyOf(part, Math.min(partSize, part.length * 2));
            }
            int n = Math.min(len, part.length - filled);
            System.arraycopy(b, off, part, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == partSize) {
                flushPart();
            }
        }
    }

    private void flushPart() throws IOException {
        try {
            if (upload == null) {
                upload = store.startMultipart(key, contentType);
            }
            upload.putPart(++partNumber, new ByteArrayInputStream(part, 0, filled), filled);
            filled = 0;
        } catch (RuntimeException e) {
            abort();
            throw new IOException("upload of " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** Gives up on the upload: nothing becomes visible under the key. */
    @Override
    public void abort() {
        closed = true;
        if (upload != null) {
            upload.abort();
            upload = null;
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (upload == null) {
                store.put(key, Arrays.copyOf(part, filled), contentType);
            } else {
                if (filled > 0) {
                    flushPart();
                }
                upload.complete();
            }
            closed = true;
        } catch (RuntimeException e) {
            abort();
            throw new IOException("upload of " + key + " failed: " + e.getMessage(), e);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream for " + key + " is closed");
        }
    }
}
