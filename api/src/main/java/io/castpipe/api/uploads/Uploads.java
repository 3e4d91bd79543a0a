package io.castpipe.api.uploads;

import java.nio.file.Path;
import java.time.Duration;

import io.castpipe.api.outbox.Outbox;
import io.castpipe.api.videos.VideoCreator;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.api.videos.VideoView;
import io.castpipe.common.db.Database;
import io.castpipe.common.storage.ObjectStore;

/** The three ways of uploading a source, what they share, and what drives stopped videos on, wired together. */
public final class Uploads {
    private final UploadRepository repository;
    private final UploadAborter aborter;
    private final UploadSweeper sweeper;
    private final VideoReconciler reconciler;
    private final TusUploadHandler tus;
    private final DirectUploadEndpoint direct;
    private final SourceUploadEndpoint source;

    /**
     * @param tailDir  where tus tails are kept on this node
     * @param partSize the S3 part size of tus uploads and the default of multipart plans
     * @param redriveAfter how long a queued or processing video may go without progress before its job is sent again
     */
    public Uploads(String publicUrl, long maxBytes, long partSize, Path tailDir, Database db, ObjectStore store,
                   VideoRepository videos, VideoCreator creator, VideoView view, Outbox outbox,
                   Duration redriveAfter) {
        UploadRules rules = new UploadRules(maxBytes);
        TailFiles tails = new TailFiles(tailDir);
        UploadLocks locks = new UploadLocks();
        SourceQueue queue = new SourceQueue(videos, outbox);
        reconciler = new VideoReconciler(videos, queue, outbox, redriveAfter);
        repository = new UploadRepository(db);
        aborter = new UploadAborter(repository, videos, store, tails, locks);
        sweeper = new UploadSweeper(repository, aborter, tails, store, videos);
        PartAssembler assembler = new PartAssembler(store, repository, tails);
        tus = new TusUploadHandler(publicUrl, rules, partSize, store, repository, videos, creator, assembler, aborter,
                locks, queue);
        direct = new DirectUploadEndpoint(rules, partSize, store, repository, videos, view, aborter, queue);
        source = new SourceUploadEndpoint(rules, store, videos, view, aborter, queue);
    }

    public UploadRepository repository() {
        return repository;
    }

    public UploadAborter aborter() {
        return aborter;
    }

    public UploadSweeper sweeper() {
        return sweeper;
    }

    public VideoReconciler reconciler() {
        return reconciler;
    }

    public TusUploadHandler tus() {
        return tus;
    }

    public DirectUploadEndpoint direct() {
        return direct;
    }

    public SourceUploadEndpoint source() {
        return source;
    }
}
