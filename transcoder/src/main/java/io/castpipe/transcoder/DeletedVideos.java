package io.castpipe.transcoder;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * Whether the video a piece of work writes for still exists. The API writes a video's access
 * record before the video exists and removes it first when it deletes the video, so no record
 * means deleted: work for it stops and takes away what it wrote. Nothing it writes meanwhile is
 * served, since the origin serves nothing of a video without a record.
 */
public final class DeletedVideos {
    private final ObjectStore store;

    public DeletedVideos(ObjectStore store) {
        this.store = store;
    }

    /** @throws io.castpipe.common.storage.ObjectStoreException when storage cannot tell */
    public boolean isDeleted(String videoId) {
        return store.head(ObjectKeys.accessRecord(videoId)).isEmpty();
    }
}
