package io.castpipe.api.uploads;

import java.time.Instant;
import java.util.List;

import io.castpipe.api.videos.PendingUploads;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * Gives uploads up: the S3 multipart upload is aborted, the tail file and the row go, and a video
 * left with no upload in progress is {@code created} again. Used for tus termination, expiry,
 * a newer upload replacing an unfinished one, and video deletion.
 */
public final class UploadAborter implements PendingUploads {
    private final UploadRepository uploads;
    private final VideoRepository videos;
    private final ObjectStore store;
    private final TailFiles tails;
    private final UploadLocks locks;

    UploadAborter(UploadRepository uploads, VideoRepository videos, ObjectStore store, TailFiles tails, UploadLocks locks) {
        this.uploads = uploads;
        this.videos = videos;
        this.store = store;
        this.tails = tails;
        this.locks = locks;
    }

    public void abort(Upload upload) {
        if (!upload.completed() && upload.s3UploadId() != null) {
            store.resumeMultipart(ObjectKeys.uploadSource(upload.videoId()), upload.s3UploadId(), List.of()).abort();
        }
        tails.deleteAll(upload.id());
        uploads.delete(upload.id());
        locks.forget(upload.id());
        videos.revertToCreatedIfIdle(upload.videoId(), Instant.now());
    }

    @Override
    public void abortAll(String videoId) {
        for (Upload u : uploads.openFor(videoId)) {
            abort(u);
        }
    }
}
