package io.castpipe.api.uploads;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.videos.Video;

/** What every way of uploading checks: the size limit, and that the video still takes a source. */
public final class UploadRules {
    private final long maxBytes;

    public UploadRules(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public void checkSize(long size) {
        if (size > maxBytes) {
            throw tooLarge();
        }
    }

    public ApiException tooLarge() {
        return ApiException.tooLarge("uploads may be at most " + maxBytes + " bytes");
    }

    public static void checkAcceptsUpload(Video video) {
        if (!video.status().acceptsUpload()) {
            throw ApiException.conflict("invalid_state", "video " + video.id() + " is already " + video.status().value()
                    + "; it takes a new source only before one is queued or after processing failed");
        }
    }
}
