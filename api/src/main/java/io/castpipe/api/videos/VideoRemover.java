package io.castpipe.api.videos;

import io.castpipe.api.streams.LiveControl;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * Takes a video away for good, for its owner's delete and for a user's removal. The access record
 * becomes a tombstone first: from then on no origin serves anything of the video, whatever is still
 * in storage or still being written (a transcode, a live recording, which each stop and clear up
 * when they see the tombstone). Then every object: the playback, the upload, and for a broadcast's
 * recording the stream's live objects; a stream still live is ordered ended. The row goes last.
 * The tombstone stays (it is kept apart from the video's objects), so that work that comes late
 * still finds the video deleted; it is written again once the row is gone, so that no record
 * written meanwhile from the row (a {@code PATCH} that looked the video up before) outlasts it.
 */
public final class VideoRemover {
    private final VideoRepository videos;
    private final VideoAccessFile accessFile;
    private final PendingUploads uploads;
    private final ObjectStore store;
    private final LiveControl live;

    public VideoRemover(VideoRepository videos, VideoAccessFile accessFile, PendingUploads uploads, ObjectStore store,
                        LiveControl live) {
        this.videos = videos;
        this.accessFile = accessFile;
        this.uploads = uploads;
        this.store = store;
        this.live = live;
    }

    public void remove(Video video) {
        String id = video.id();
        accessFile.markDeleted(id);
        uploads.abortAll(id);
        store.deleteByPrefix(ObjectKeys.vodPrefix(id));
        store.deleteByPrefix("uploads/" + id + "/");
        if (video.isRecording()) {
            live.endStream(id, video.channelId(), StreamControl.VIDEO_DELETED);
            store.deleteByPrefix(ObjectKeys.livePrefix(id));
        }
        videos.delete(id);
        accessFile.markDeleted(id);
    }
}
