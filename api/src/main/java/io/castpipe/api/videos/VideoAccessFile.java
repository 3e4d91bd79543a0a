package io.castpipe.api.videos;

import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * A video's access record ({@link AccessRecords}), from which the origin learns whether to ask for
 * a token. It is written before the video exists and becomes a tombstone first when the video is
 * deleted, for good: the origin serves nothing of a video with a tombstone, and work for it (a
 * transcode, a live recording) stops and clears up. A video without a record is only not known
 * yet: the origin serves none of its objects, but work goes on.
 */
public final class VideoAccessFile {
    private final ObjectStore store;

    public VideoAccessFile(ObjectStore store) {
        this.store = store;
    }

    public void write(String videoId, Visibility visibility) {
        store.put(ObjectKeys.accessRecord(videoId), AccessRecords.of(visibility.value()), AccessRecords.CONTENT_TYPE);
    }

    public boolean exists(String videoId) {
        return store.head(ObjectKeys.accessRecord(videoId)).isPresent();
    }

    public void markDeleted(String videoId) {
        store.put(ObjectKeys.accessRecord(videoId), AccessRecords.of(AccessRecords.DELETED), AccessRecords.CONTENT_TYPE);
    }
}
