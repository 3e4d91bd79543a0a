package io.castpipe.api.videos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.storage.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every video made before there were access records its record, from its row, once: without
 * one the origin serves none of a video's objects. It runs in the background when the api starts,
 * through the rows in pages of {@link #PAGE} by id, at one HEAD per video and one PUT per record
 * missing; then it leaves {@link ObjectKeys#accessBackfillMarker()} in the bucket, and an api that
 * finds the marker does nothing. The marker lives beside the records, so a bucket restored without
 * them is gone through again. A failure (storage, the database) is tried again after
 * {@link #RETRY_AFTER}; every step is safe to repeat, and several api nodes may run at once.
 *
 * <p>It never undoes a newer decision: a video that has a record (a tombstone among them) is left
 * alone, and the row stays locked while its record is looked for and written. A change of
 * visibility or a deletion therefore commits before (and is what gets written) or after, and then
 * writes its own record after this one ({@link VideosEndpoint}, {@link VideoRemover}).
 */
public final class AccessRecordBackfill implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessRecordBackfill.class);
    static final int PAGE = 500;
    static final Duration RETRY_AFTER = Duration.ofMinutes(1);

    private final VideoRepository videos;
    private final VideoAccessFile accessFile;
    private final ObjectStore store;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private ScheduledExecutorService scheduler;

    public AccessRecordBackfill(VideoRepository videos, VideoAccessFile accessFile, ObjectStore store) {
        this.videos = videos;
        this.accessFile = accessFile;
        this.store = store;
    }

    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("access-backfill"));
        scheduler.execute(this::attempt);
    }

    /** Completes with how many records were written once it has been through; 0 when the marker was there. */
    public CompletableFuture<Integer> done() {
        return done;
    }

    private void attempt() {
        try {
            done.complete(run());
        } catch (RuntimeException e) {
            log.warn("giving videos made before there were access records theirs failed, will retry in {} s: {}",
                    RETRY_AFTER.toSeconds(), e.toString());
            scheduler.schedule(this::attempt, RETRY_AFTER.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private int run() {
        if (store.head(ObjectKeys.accessBackfillMarker()).isPresent()) {
            return 0;
        }
        int written = 0;
        String after = null;
        for (List<String> page = videos.idsAfter(null, PAGE); !page.isEmpty(); page = videos.idsAfter(after, PAGE)) {
            for (String id : page) {
                boolean wrote = videos.withRowLocked(id, visibility -> {
                    if (accessFile.exists(id)) {
                        return false;
                    }
                    accessFile.write(id, visibility);
                    return true;
                });
                if (wrote) {
                    written++;
                    log.debug("video {}: access record written from its row (made before there were records)", id);
                }
            }
            after = page.get(page.size() - 1);
        }
        store.put(ObjectKeys.accessBackfillMarker(), ("{\"at\":\"" + Instant.now() + "\",\"written\":" + written + "}")
                .getBytes(StandardCharsets.UTF_8), AccessRecords.CONTENT_TYPE);
        log.info("every video has an access record; {} written now from their rows", written);
        return written;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
