package io.castpipe.api.videos;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.castpipe.api.auth.Caller;
import io.castpipe.common.media.Ids;

/** Makes a new, empty video owned by the caller; shared by {@code POST /api/videos} and tus creation. */
public final class VideoCreator {
    private final VideoRepository videos;
    private final VideoAccessFile accessFile;

    public VideoCreator(VideoRepository videos, VideoAccessFile accessFile) {
        this.videos = videos;
        this.accessFile = accessFile;
    }

    public Video create(Caller caller, String title, String description, Visibility visibility) {
        caller.requireSignedIn();
        // Both databases keep microseconds; the cursor relies on reading back what was written.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Video video = new Video(Ids.newId(), caller.isAdmin() ? null : caller.userId(), title, description,
                visibility, VideoStatus.CREATED, 0, null, null, null, null, null, now, now, null);
        // The access file goes first: a video never exists without the origin knowing who may play it.
        accessFile.write(video.id(), visibility);
        videos.insert(video);
        return video;
    }
}
