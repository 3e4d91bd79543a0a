package io.castpipe.api.streams;

import io.castpipe.common.events.StreamControl;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;

/**
 * Ends live streams through the ingest nodes: {@code stream.control} orders, keyed by channel id
 * and published durably (a call returns once Kafka has the order; it throws when Kafka refused it).
 * The publisher's ingest node carries the order out; the stream's ENDED comes back on
 * {@code stream.events} as for any other end.
 */
public final class LiveControl {
    private final EventPublisher publisher;

    public LiveControl(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /** Ends one stream of the channel, for {@code reason} (a {@link StreamControl} constant). */
    public void endStream(String streamId, String channelId, String reason) {
        publisher.publishDurably(Topic.STREAM_CONTROL, channelId, StreamControl.endStream(channelId, streamId, reason));
    }

    /**
     * Ends whatever the channel has live with a key that no longer opens it: call it after the
     * database committed the change (a rotated key, a deleted channel or user).
     */
    public void endChannel(String channelId, String reason) {
        publisher.publishDurably(Topic.STREAM_CONTROL, channelId, StreamControl.endChannel(channelId, reason));
    }
}
