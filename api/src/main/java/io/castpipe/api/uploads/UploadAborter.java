package io.castpipe.api.uploads;

import java.time.Instant;
import java.util.List;

import io.castpipe.api.videos.PendingUploads;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;

/**
 * Gives uploads up: the S3 multipart upload is aborted, an object a presigned PUT stored is
 * deleted, the tail file and the row go, and a video left with no upload in progress is
 * {@code created} again. Used for tus termination, expiry,
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
        if (!upload.completed() && upload.kind() == Upload.Kind.DIRECT) {
            // A presigned PUT may have stored the object; never completed, it is not the video's source.
            store.delete(ObjectKeys.uploadSource(upload.videoId()));
        }
        forget(upload);
    }

    /** A direct upload whose object storage holds but the API will not take (its size): the object goes with it. */
    public void refuse(Upload upload) {
        store.delete(ObjectKeys.uploadSource(upload.videoId()));
        forget(upload);
    }

    private void forget(Upload upload) {
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
