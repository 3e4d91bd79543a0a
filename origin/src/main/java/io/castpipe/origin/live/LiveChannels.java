package io.castpipe.origin.live;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;

/**
 * Which stream a channel's playback URL ({@code /live/{channel}/…}) shows: the latest one ingest
 * announced on {@code stream.events}. Every origin node reads the whole topic in a group of its
 * own, so each knows every channel without a database. A channel keeps its last stream after it
 * ends, so players can still fetch the final playlist with its EXT-X-ENDLIST.
 */
public final class LiveChannels implements AutoCloseable {
    private final Map<String, String> streamOfChannel = new ConcurrentHashMap<>();
    private final EventConsumer<StreamEvent> consumer;

    public LiveChannels(KafkaSettings kafka, Topics topics) {
        this.consumer = new EventConsumer<>(kafka, topics, Topic.STREAM_EVENTS, "castpipe-origin-" + Ids.newId(),
                StreamEvent.class, this::apply);
    }

    public void start() {
        consumer.start();
    }

    void apply(StreamEvent e) {
        if (e.type() == StreamEvent.Type.STARTED && e.channelName() != null && Ids.isValid(e.streamId())) {
            streamOfChannel.put(e.channelName(), e.streamId());
        }
    }

    public Optional<String> streamOf(String channel) {
        return Optional.ofNullable(streamOfChannel.get(channel));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
