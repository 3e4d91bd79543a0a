package io.castpipe.api.uploads;

import java.time.Instant;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.outbox.Outbox;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every upload ends once the source is complete in storage: in one transaction the video
 * becomes {@code queued} and its transcode job and an {@code uploaded} event go to the outbox,
 * both keyed by the video id, so a video is queued exactly when its job is on its way, and a
 * Kafka outage only delays the job.
 */
public final class SourceQueue {
    private static final Logger log = LoggerFactory.getLogger(SourceQueue.class);

    private final VideoRepository videos;
    private final Outbox outbox;

    public SourceQueue(VideoRepository videos, Outbox outbox) {
        this.videos = videos;
        this.outbox = outbox;
    }

    public void queue(String videoId) {
        Instant now = Instant.now();
        String jobId = Ids.newId();
        boolean queued = outbox.inTransaction("queueing video " + videoId, tx -> {
            if (!videos.markQueued(tx.connection(), videoId, jobId, now)) {
                return false;
            }
            tx.add(Topic.VOD_JOBS, videoId, new VodJob(videoId, ObjectKeys.uploadSource(videoId), now, jobId));
            tx.add(Topic.VIDEO_EVENTS, videoId, VideoEvent.uploaded(videoId));
            return true;
        });
        if (!queued) {
            throw ApiException.conflict("invalid_state", "video " + videoId + " no longer takes a source (deleted, or another upload finished first)");
        }
        log.info("video {}: source complete, transcode job {} queued", videoId, jobId);
    }
}
