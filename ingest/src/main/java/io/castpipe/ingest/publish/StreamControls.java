package io.castpipe.ingest.publish;

import java.sql.SQLException;
import java.util.Optional;

import io.castpipe.common.events.StreamControl;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the {@code stream.control} orders on this process's publishers. Every ingest process
 * reads the whole topic in a consumer group of its own, from the newest record on: an order is
 * for whichever process holds the channel, and one older than the process concerns none of its
 * publishers. END with a stream id ends that publish; END without one looks the key of the
 * channel's publisher up again (on this consumer's thread, never an event loop) and ends it when
 * the key no longer opens the channel. A lookup that fails is retried after a pause.
 */
public final class StreamControls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamControls.class);
    private static final int MAX_REASON = 64;

    private final LiveChannels live;
    private final StreamKeys keys;
    private final EventConsumer<StreamControl> consumer;

    public StreamControls(KafkaSettings kafka, Topics topics, LiveChannels live, StreamKeys keys) {
        this.live = live;
        this.keys = keys;
        this.consumer = new EventConsumer<>(kafka, topics, Topic.STREAM_CONTROL, "castpipe-ingest-control-" + Ids.newId(),
                StreamControl.class, this::apply, true);
    }

    public void start() {
        consumer.start();
    }

    /** What the encoder is told when its publish is ended for {@code reason}. */
    public static String describe(String reason) {
        return switch (reason) {
            case StreamControl.KEY_ROTATED -> "the channel's stream key was changed; publish with the new key";
            case StreamControl.ENDED_BY_OWNER -> "the channel's owner ended this stream";
            case StreamControl.ENDED_BY_ADMIN -> "the administrator ended this stream";
            case StreamControl.USER_REMOVED -> "the channel's owner was removed";
            case StreamControl.VIDEO_DELETED -> "this stream's video was deleted";
            default -> "this stream was ended (" + reason + ")";
        };
    }

    void apply(StreamControl order) {
        if (order.type() != StreamControl.Type.END || order.channelId() == null || order.reason() == null
                || order.reason().isEmpty() || order.reason().length() > MAX_REASON) {
            log.warn("skipping a stream.control record without type END, a channel or a reason");
            return;
        }
        Optional<LivePublish> held = live.holder(order.channelId());
        if (held.isEmpty()) {
            return;
        }
        LivePublish publish = held.get();
        if (order.streamId() != null) {
            if (publish.streamId().equals(order.streamId())) {
                log.debug("{}: ending it ({})", publish, order.reason());
                publish.end(order.reason());
            }
            return;
        }
        Optional<Channel> opens;
        try {
            opens = keys.lookup(publish.streamKey());
        } catch (SQLException e) {
            throw new IllegalStateException("checking the key of " + publish + ": " + e.getMessage(), e);
        }
        if (opens.isPresent() && opens.get().id().equals(order.channelId())) {
            log.debug("{}: its key still opens the channel; going on", publish);
            return;
        }
        log.debug("{}: its key no longer opens the channel; ending it ({})", publish, order.reason());
        publish.end(order.reason());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
