package io.castpipe.api.videos;

/** Uploads of a video still in progress, which must go with it when it is deleted. */
public interface PendingUploads {
    void abortAll(String videoId);
}
