package io.castpipe.api.streams;

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
 * Feeds the origins' VIEWERS reports on {@code stream.events} into {@link ViewerCounts}, and
 * forgets a stream at its ENDED. Every api node reads all of the topic itself (no consumer group),
 * from the newest record on: counts are only worth their last 15 s, so there is nothing to replay.
 */
public final class ViewerReportsConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ViewerReportsConsumer.class);
    private static final int MAX_NODE_NAME = 128;

    private final ViewerCounts counts;
    private final EventConsumer<StreamEvent> consumer;

    public ViewerReportsConsumer(Supervisor supervisor, KafkaSettings kafka, Topics topics, ViewerCounts counts) {
        this.counts = counts;
        this.consumer = EventConsumer.ofEveryRecord(supervisor, "viewer-reports", kafka, topics, Topic.STREAM_EVENTS,
                StreamEvent.class, this::apply, true);
    }

    public void start() {
        consumer.start();
    }

    private void apply(StreamEvent e) {
        if (e.type() == StreamEvent.Type.ENDED && Ids.isValid(e.streamId())) {
            counts.ended(e.streamId());
        } else if (e.type() == StreamEvent.Type.VIEWERS) {
            if (!Ids.isValid(e.streamId()) || e.viewers() == null || e.viewers() < 0 || e.node() == null
                    || e.node().isEmpty() || e.node().length() > MAX_NODE_NAME) {
                log.warn("skipping a viewer report without a valid stream id, count or node");
                return;
            }
            counts.reported(e.streamId(), e.node(), e.viewers());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
