package io.castpipe.origin.live;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@link #INTERVAL} publishes this node's viewer count of each stream it serves as a VIEWERS
 * record on {@code stream.events} (keyed by stream id, named by the node), including a last 0 when
 * a stream's viewers are gone and for every stream when the node stops; the API sums the nodes.
 * The same counts are the gauge {@code castpipe_origin_viewers{stream}}.
 */
public final class ViewerReports implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ViewerReports.class);
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    private final ViewerCounter counter;
    private final EventPublisher publisher;
    private final String node;
    private final MultiGauge gauge;
    private Supervised timer;
    /** Streams whose last report was above 0; touched only by the timer thread, then by close(). */
    private final Set<String> watched = new HashSet<>();

    public ViewerReports(ViewerCounter counter, EventPublisher publisher, String node, MeterRegistry registry) {
        this.counter = counter;
        this.publisher = publisher;
        this.node = node;
        this.gauge = MultiGauge.builder("castpipe.origin.viewers")
                .description("Viewers of each live stream on this origin node").register(registry);
    }

    public void start(Supervisor supervisor) {
        timer = supervisor.every("origin-viewer-reports", INTERVAL, INTERVAL.plusSeconds(60), this::report);
    }

    private void report() {
        Map<String, Integer> counts = counter.counts();
        counts.forEach(this::publish);
        gauge.register(counts.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> MultiGauge.Row.of(Tags.of("stream", e.getKey()), e.getValue())).toList(), true);
    }

    private void publish(String stream, int viewers) {
        if (viewers > 0 && watched.add(stream)) {
            log.info("stream {}: watched on this node ({} viewers)", stream, viewers);
        } else if (viewers == 0 && watched.remove(stream)) {
            log.info("stream {}: no viewers left on this node", stream);
        }
        publisher.publishBytes(Topic.STREAM_EVENTS, stream, EventCodec.encode(StreamEvent.viewers(stream, viewers, node)),
                (metadata, failure) -> {
                    if (failure != null) {
                        log.warn("stream {}: viewer count not published: {}", stream, failure.toString());
                    }
                });
    }

    /** Stops reporting; the streams still watched get a last 0, so the API does not wait for them to go stale. */
    @Override
    public void close() {
        gauge.register(List.of(), true);
        if (timer == null) {
            return;
        }
        timer.close();
        if (timer.status().state() != Supervised.State.STOPPED) {
            log.warn("a viewer report still hangs on Kafka; {} streams get no last 0 and go stale in the API instead",
                    watched.size());
            return;
        }
        for (String stream : List.copyOf(watched)) {
            publish(stream, 0);
        }
    }
}
