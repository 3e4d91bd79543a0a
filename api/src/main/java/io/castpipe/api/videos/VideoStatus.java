package io.castpipe.api.videos;

import java.util.Locale;

/** Where a video is on its way to playable; stored and shown in lower case. */
public enum VideoStatus {
    CREATED, UPLOADING, QUEUED, PROCESSING, READY, FAILED;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VideoStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** A source may be uploaded before one is queued, and again after processing failed. */
    public boolean acceptsUpload() {
        return this == CREATED || this == UPLOADING || this == FAILED;
    }
}
