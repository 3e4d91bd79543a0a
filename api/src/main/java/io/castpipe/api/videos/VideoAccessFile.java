package io.castpipe.api.videos;

import java.nio.charset.StandardCharsets;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/** The {@code access.json} beside a video's playback objects, from which the origin learns whether to ask for a token. */
public final class VideoAccessFile {
    private final ObjectStore store;

    public VideoAccessFile(ObjectStore store) {
        this.store = store;
    }

    public void write(String videoId, Visibility visibility) {
        byte[] json = ("{\"visibility\":\"" + visibility.value() + "\"}").getBytes(StandardCharsets.UTF_8);
        store.put(ObjectKeys.vodAccess(videoId), json, "application/json");
    }
}
