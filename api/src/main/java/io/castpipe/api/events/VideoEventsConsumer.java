package io.castpipe.api.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.node.Supervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each video's status in step with {@code video.events}. Offsets are committed only after
 * the database has the change; a record the database could not take is read again after a pause.
 * The repository's guarded updates make replays and late events harmless.
 */
public final class VideoEventsConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VideoEventsConsumer.class);
    public static final String GROUP_ID = "castpipe-api";

    private final VideoRepository videos;
    private final EventConsumer<VideoEvent> consumer;

    public VideoEventsConsumer(Supervisor supervisor, KafkaSettings kafka, Topics topics, VideoRepository videos) {
        this.videos = videos;
        this.consumer = new EventConsumer<>(supervisor, "video-events", kafka, topics, Topic.VIDEO_EVENTS, GROUP_ID, VideoEvent.class, this::apply);
    }

    public void start() {
        consumer.start();
    }

    public boolean isRunning() {
        return consumer.isRunning();
    }

    private void apply(VideoEvent event) {
        if (event.videoId() == null || event.type() == null) {
            log.warn("skipping a video event without a video id or type");
            return;
        }
        Instant now = Instant.now();
        String id = event.videoId();
        boolean applied = switch (event.type()) {
            case UPLOADED -> videos.queuedByEvent(id, now);
            case PROCESSING -> videos.processing(id, now);
            case PROGRESS -> videos.progress(id, clamp(event.progress()), now);
            case READY -> videos.ready(id, event.durationSeconds(), json(event.source()), json(event.renditions()), now);
            case FAILED -> videos.failed(id,
                    event.error() == null || event.error().code() == null ? "failed" : event.error().code(),
                    event.error() == null ? null : event.error().message(), now);
        };
        if (event.type() == VideoEvent.Type.READY || event.type() == VideoEvent.Type.FAILED) {
            log.info("video {}: {}{}", id, event.type().name().toLowerCase(Locale.ROOT), applied ? "" : " (ignored: video is past that)");
        }
    }

    private static String json(Object value) {
        return value == null ? null : new String(EventCodec.encode(value), StandardCharsets.UTF_8);
    }

    private static double clamp(Double progress) {
        if (progress == null || progress.isNaN()) {
            return 0;
        }
        return Math.max(0, Math.min(1, progress));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
