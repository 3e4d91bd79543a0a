package io.castpipe.api.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final VideoRepository videos;
    private final Thread thread;
    private volatile boolean running = true;

    public VideoEventsConsumer(KafkaSettings kafka, Topics topics, VideoRepository videos) {
        this.consumer = new KafkaConsumer<>(kafka.consumer(GROUP_ID));
        this.topic = topics.name(Topic.VIDEO_EVENTS);
        this.videos = videos;
        this.thread = new Thread(this::run, "video-events");
        this.thread.setDaemon(true);
    }

    public void start() {
        consumer.subscribe(List.of(topic));
        thread.start();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                try {
                    if (!pollOnce()) {
                        Thread.sleep(RETRY_PAUSE.toMillis());
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // A failed commit (after a rebalance, say) only means some records come again.
                    log.warn("video events: {}; carrying on", e.toString());
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Applies one poll's records and commits what was applied; false when one must be retried. */
    private boolean pollOnce() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean allApplied = true;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                try {
                    apply(record);
                } catch (RuntimeException e) {
                    log.warn("video {}: could not apply a video event, will retry: {}", record.key(), e.toString());
                    consumer.seek(partition, record.offset());
                    allApplied = false;
                    break;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        if (!done.isEmpty()) {
            consumer.commitSync(done);
        }
        return allApplied;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        VideoEvent event;
        try {
            event = EventCodec.decode(record.value(), VideoEvent.class);
        } catch (IllegalArgumentException e) {
            log.warn("skipping an unreadable video event at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (event.videoId() == null || event.type() == null) {
            log.warn("skipping a video event without a video id or type at {}-{}@{}", record.topic(), record.partition(),
                    record.offset());
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
        running = false;
        if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
