package io.castpipe.api.uploads;

import java.time.Instant;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.ObjectKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every upload ends once the source is complete in storage: the video becomes {@code queued},
 * then a transcode job and an {@code uploaded} event go to Kafka, both keyed by the video id.
 * The database moves first so that the worker's own events can never be overtaken by it.
 */
public final class SourceQueue {
    private static final Logger log = LoggerFactory.getLogger(SourceQueue.class);

    private final VideoRepository videos;
    private final EventPublisher publisher;

    public SourceQueue(VideoRepository videos, EventPublisher publisher) {
        this.videos = videos;
        this.publisher = publisher;
    }

    public void queue(String videoId) {
        Instant now = Instant.now();
        if (!videos.markQueued(videoId, now)) {
            throw ApiException.conflict("invalid_state", "video " + videoId + " no longer takes a source (deleted, or another upload finished first)");
        }
        try {
            publisher.publishDurably(Topic.VOD_JOBS, videoId, new VodJob(videoId, ObjectKeys.uploadSource(videoId), now));
            publisher.publishDurably(Topic.VIDEO_EVENTS, videoId, VideoEvent.uploaded(videoId));
        } catch (RuntimeException e) {
            log.error("video {}: source stored but the transcode job could not be queued: {}", videoId, e.getMessage());
            videos.failed(videoId, "queue_unavailable",
                    "The upload was stored but could not be queued for processing; upload it again.", Instant.now());
            throw new ApiException(503, "queue_unavailable",
                    "the source is stored but the job could not be queued; try the upload again later");
        }
        log.info("video {}: source complete, transcode job queued", videoId);
    }
}
