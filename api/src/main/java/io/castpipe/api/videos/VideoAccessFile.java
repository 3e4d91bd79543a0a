package io.castpipe.api.videos;

import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * A video's access record ({@link AccessRecords}), from which the origin learns whether to ask for
 * a token. It is written before the video exists and removed first when it is deleted:
 * the origin (and the transcoder) take a video without one for a deleted video.
 */
public final class VideoAccessFile {
    private final ObjectStore store;

    public VideoAccessFile(ObjectStore store) {
        this.store = store;
    }

    public void write(String videoId, Visibility visibility) {
        store.put(ObjectKeys.accessRecord(videoId), AccessRecords.of(visibility.value()), AccessRecords.CONTENT_TYPE);
    }

    public void delete(String videoId) {
        store.delete(ObjectKeys.accessRecord(videoId));
    }
}
