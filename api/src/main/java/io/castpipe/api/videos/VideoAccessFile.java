package io.castpipe.api.videos;

import java.nio.charset.StandardCharsets;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * The {@code access.json} beside a video's playback objects, from which the origin learns whether
 * to ask for a token. It is written before the video exists and removed first when it is deleted:
 * the origin (and the transcoder) take a video without one for a deleted video.
 */
public final class VideoAccessFile {
    private final ObjectStore store;

    public VideoAccessFile(ObjectStore store) {
        this.store = store;
    }

    public void write(String videoId, Visibility visibility) {
        byte[] json = ("{\"visibility\":\"" + visibility.value() + "\"}").getBytes(StandardCharsets.UTF_8);
        store.put(ObjectKeys.vodAccess(videoId), json, "application/json");
    }

    public void delete(String videoId) {
        store.delete(ObjectKeys.vodAccess(videoId));
    }
}
