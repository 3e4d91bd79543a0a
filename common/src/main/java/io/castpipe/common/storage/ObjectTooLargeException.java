package io.castpipe.common.storage;

import java.io.IOException;

/** A write would have taken an object past the size its writer allowed; the upload was aborted. */
public class ObjectTooLargeException extends IOException {
    private final long maxBytes;

    public ObjectTooLargeException(String key, long maxBytes) {
        super(key + " would be larger than " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
