package io.castpipe.api.uploads;

import java.nio.file.Path;

import io.castpipe.api.videos.VideoCreator;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.api.videos.VideoView;
import io.castpipe.common.db.Database;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.storage.ObjectStore;

/** The three ways of uploading a source, and what they share, wired together. */
public final class Uploads {
    private final UploadRepository repository;
    private final UploadAborter aborter;
    private final UploadSweeper sweeper;
    private final TusUploadHandler tus;
    private final DirectUploadEndpoint direct;
    private final SourceUploadEndpoint source;

    /**
     * @param tailDir  where tus tails are kept on this node
     * @param partSize the S3 part size of tus uploads and the default of multipart plans
     */
    public Uploads(String publicUrl, long maxBytes, long partSize, Path tailDir, Database db, ObjectStore store,
                   VideoRepository videos, VideoCreator creator, VideoView view, EventPublisher publisher) {
        UploadRules rules = new UploadRules(maxBytes);
        TailFiles tails = new TailFiles(tailDir);
        UploadLocks locks = new UploadLocks();
        SourceQueue queue = new SourceQueue(videos, publisher);
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
