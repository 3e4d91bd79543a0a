package io.castpipe.transcoder;

import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * What the API leaves in storage for a video (or a stream's recording): the access record when it
 * creates one, the tombstone when it deletes one.
 */
public final class ApiVideos {
    private ApiVideos() {
    }

    public static void created(ObjectStore store, String videoId) {
        store.put(ObjectKeys.accessRecord(videoId), AccessRecords.of("public"), AccessRecords.CONTENT_TYPE);
    }

    public static void deleted(ObjectStore store, String videoId) {
        store.put(ObjectKeys.accessRecord(videoId), AccessRecords.of(AccessRecords.DELETED), AccessRecords.CONTENT_TYPE);
    }
}
