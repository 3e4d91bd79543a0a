package io.castpipe.chat.viewers;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.live.ViewerCounts;
import io.castpipe.common.media.Ids;
import io.castpipe.common.node.Supervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The viewers of each channel's live stream, the figure {@code /api/live} shows: the origins'
 * VIEWERS reports on {@code stream.events} summed by {@link ViewerCounts}, and each channel's
 * latest stream from the STARTED records. The node reads all of the topic itself (no consumer group)
 * from the beginning, as the origin does for the same mapping; reports older than
 * {@link ViewerCounts#FRESH} are passed over, since they would count as new. At most
 * {@link #MAX_CHANNELS} channels are mapped.
 */
public final class ChannelViewers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelViewers.class);
    static final int MAX_CHANNELS = 100_000;
    private static final int MAX_NODE_NAME = 128;

    private final Map<String, String> streamOfChannel = new ConcurrentHashMap<>();
    private final ViewerCounts counts = new ViewerCounts();
    private final EventConsumer<StreamEvent> consumer;

    public ChannelViewers(Supervisor supervisor, KafkaSettings kafka, Topics topics) {
        this.consumer = EventConsumer.ofEveryRecord(supervisor, "chat-viewer-counts", kafka, topics, Topic.STREAM_EVENTS,
                StreamEvent.class, this::apply, false);
    }

    public void start() {
        consumer.start();
    }

    private void apply(StreamEvent e) {
        if (!Ids.isValid(e.streamId()) || e.type() == null) {
            return;
        }
        switch (e.type()) {
            case STARTED -> {
                if (e.channelName() != null && (streamOfChannel.containsKey(e.channelName())
                        || streamOfChannel.size() < MAX_CHANNELS)) {
                    streamOfChannel.put(e.channelName(), e.streamId());
                }
            }
            case ENDED -> counts.ended(e.streamId());
            case VIEWERS -> {
                if (e.viewers() == null || e.viewers() < 0 || e.node() == null || e.node().isEmpty()
                        || e.node().length() > MAX_NODE_NAME) {
                    log.warn("skipping a viewer report without a valid count or node");
                } else if (e.at() != null && e.at().isAfter(Instant.now().minus(ViewerCounts.FRESH))) {
                    counts.reported(e.streamId(), e.node(), e.viewers());
                }
            }
            default -> {
            }
        }
    }

    /** The viewers of the channel's current stream; 0 when it has none or is not live. */
    public int viewers(String channel) {
        String stream = streamOfChannel.get(channel);
        return stream == null ? 0 : counts.viewers(stream);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
