package io.castpipe.origin.live;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.node.Supervisor;

/**
 * Which stream a channel's playback URL ({@code /live/{channel}/…}) shows, and whether it is live:
 * the latest one ingest announced on {@code stream.events}, live from its STARTED to its ENDED.
 * Every origin node reads the whole topic (no consumer group: each reads every partition), so each knows every channel
 * without a database. A channel keeps its last stream after it ends, so players can still fetch
 * the final playlist with its EXT-X-ENDLIST (as the recording's access allows).
 */
public final class LiveChannels implements AutoCloseable {
    /** A channel's latest stream. */
    public record Current(String streamId, Instant startedAt, boolean live) {
        Current ended() {
            return new Current(streamId, startedAt, false);
        }
    }

    private final Map<String, Current> streamOfChannel = new ConcurrentHashMap<>();
    private final EventConsumer<StreamEvent> consumer;

    public LiveChannels(Supervisor supervisor, KafkaSettings kafka, Topics topics) {
        this.consumer = EventConsumer.ofEveryRecord(supervisor, "origin-live-channels", kafka, topics, Topic.STREAM_EVENTS,
                StreamEvent.class, this::apply, false);
    }

    public void start() {
        consumer.start();
    }

    void apply(StreamEvent e) {
        if (e.channelName() == null || !Ids.isValid(e.streamId()) || e.at() == null) {
            return;
        }
        if (e.type() == StreamEvent.Type.STARTED) {
            // Streams of one channel are keyed apart and may be read out of order: the latest start
            // wins; a STARTED read again changes nothing.
            streamOfChannel.merge(e.channelName(), new Current(e.streamId(), e.at(), true), (old, started) ->
                    old.streamId().equals(started.streamId()) || started.startedAt().isBefore(old.startedAt()) ? old : started);
        } else if (e.type() == StreamEvent.Type.ENDED) {
            streamOfChannel.computeIfPresent(e.channelName(),
                    (channel, current) -> current.streamId().equals(e.streamId()) ? current.ended() : current);
        }
    }

    public Optional<Current> current(String channel) {
        return Optional.ofNullable(streamOfChannel.get(channel));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
