package io.castpipe.api.uploads;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.media.Ids;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every few minutes: aborts unfinished uploads past their expiry, forgets finished ones, deletes
 * tail files on this node whose upload is gone, and deletes objects under {@code uploads/} whose
 * video is gone — what a presigned PUT, valid for its whole lifetime, stored after its video was
 * deleted. That last pass looks at {@link #KEYS_PER_SWEEP} keys each time and carries on from
 * there the next, so its work is bounded however many sources storage holds. Several api nodes
 * may sweep at once; every step is safe to repeat.
 */
public final class UploadSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadSweeper.class);
    private static final Duration PERIOD = Duration.ofMinutes(5);
    /** Keys under uploads/ looked at per sweep: 2.9 million a day, one list request and one query per thousand. */
    static final int KEYS_PER_SWEEP = 10_000;
    private static final int PAGE = 1000;
    private static final String UPLOADS = "uploads/";

    private final UploadRepository uploads;
    private final UploadAborter aborter;
    private final TailFiles tails;
    private final ObjectStore store;
    private final VideoRepository videos;
    /** The key the next look at uploads/ starts after; null: from the first. */
    private String orphansAfter;
    private Supervised turns;

    UploadSweeper(UploadRepository uploads, UploadAborter aborter, TailFiles tails, ObjectStore store, VideoRepository videos) {
        this.uploads = uploads;
        this.aborter = aborter;
        this.tails = tails;
        this.store = store;
        this.videos = videos;
    }

    public void start(Supervisor supervisor) {
        turns = supervisor.every("upload-sweeper", PERIOD, PERIOD.multipliedBy(2), () -> sweep(Instant.now()));
    }

    /** @return how many uploads were aborted */
    public int sweep(Instant now) {
        int aborted = 0;
        for (Upload u : uploads.expiredBefore(now)) {
            if (u.completed()) {
                uploads.delete(u.id());
            } else {
                aborter.abort(u);
                aborted++;
                log.info("video {}: upload {} expired unfinished and was aborted", u.videoId(), u.id());
            }
        }
        for (String id : tails.uploadIds()) {
            if (uploads.find(id).isEmpty()) {
                tails.deleteAll(id);
            }
        }
        deleteOrphans();
        return aborted;
    }

    /** The next {@link #KEYS_PER_SWEEP} keys of uploads/: those of videos that no longer exist are deleted. */
    private synchronized void deleteOrphans() {
        for (int looked = 0; looked < KEYS_PER_SWEEP; looked += PAGE) {
            List<ObjectInfo> page = store.listPage(UPLOADS, orphansAfter, PAGE);
            orphansAfter = page.size() < PAGE ? null : page.get(page.size() - 1).key();
            Map<String, List<String>> keysByVideo = new LinkedHashMap<>();
            for (ObjectInfo o : page) {
                int slash = o.key().indexOf('/', UPLOADS.length());
                String videoId = slash < 0 ? null : o.key().substring(UPLOADS.length(), slash);
                if (Ids.isValid(videoId)) {
                    keysByVideo.computeIfAbsent(videoId, id -> new ArrayList<>()).add(o.key());
                }
            }
            Set<String> existing = videos.existing(keysByVideo.keySet());
            keysByVideo.forEach((videoId, keys) -> {
                if (!existing.contains(videoId)) {
                    keys.forEach(store::delete);
                    log.info("video {}: deleted {} object(s) stored under uploads/ after the video was deleted", videoId,
                            keys.size());
                }
            });
            if (orphansAfter == null) {
                return;
            }
        }
    }

    @Override
    public void close() {
        if (turns != null) {
            turns.close();
        }
    }
}
