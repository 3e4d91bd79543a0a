package io.castpipe.ingest.publish;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.kafka.ConsumerLoop;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.node.Supervisor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the {@code stream.control} orders on this process's publishers. An order is for
 * whichever process holds the channel, so every ingest process reads every partition: assigned
 * by hand, with no consumer group (there is nothing to share between processes, nor an offset to
 * keep), from the end the topic had at {@link #start()}. An order older than the process
 * concerns none of its publishers; one published after {@code start()} returned is never missed,
 * which a group's assignment, coming some time after start, could not promise.
 *
 * <p>END with a stream id ends that publish; END without one looks the key of the channel's
 * publisher up again (on this consumer's thread, never an event loop) and ends it when the key no
 * longer opens the channel. A lookup that fails is retried after a pause.
 */
public final class StreamControls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamControls.class);
    private static final int MAX_REASON = 64;
    private static final Duration POLL = Duration.ofMillis(500);

    private final ChannelPublishes live;
    private final StreamKeys keys;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Duration timeout;
    private final ConsumerLoop loop;
    private final Counter orders;

    public StreamControls(Supervisor supervisor, KafkaSettings kafka, Topics topics, ChannelPublishes live, StreamKeys keys, MeterRegistry meters) {
        this.live = live;
        this.keys = keys;
        Properties props = kafka.consumer("control");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props);
        this.topic = topics.name(Topic.STREAM_CONTROL);
        this.timeout = kafka.timeout();
        this.loop = new ConsumerLoop(supervisor, "stream-controls", consumer, topic, () -> { },
                this::pollOnce);
        this.orders = Counter.builder("castpipe.ingest.control.orders")
                .description("stream.control orders read and applied (or skipped as unreadable)").register(meters);
    }

    /**
     * Takes every partition at its end and returns once the positions are known: from here on no
     * order is missed. The consumer is then handed to its own thread, which alone touches it.
     *
     * @throws IllegalStateException when Kafka did not answer within its timeout
     */
    public void start() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException(topic + " has no partitions");
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(p -> consumer.position(p, timeout)); // seekToEnd is lazy: the ends are fetched here
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka did not give the end of " + topic + " within " + timeout.toSeconds()
                    + " s", e);
        }
        loop.start();
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

    /**
     * Applies one poll's orders, in order per partition; false, to pause, when one must be read
     * again (its key lookup failed): its partition goes back to it, the others go on.
     */
    private boolean pollOnce() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        boolean allApplied = true;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                try {
                    decode(record).ifPresent(this::apply);
                } catch (RuntimeException e) {
                    log.warn("{}: could not apply an order, will retry: {}", topic, e.toString());
                    consumer.seek(partition, record.offset());
                    allApplied = false;
                    break;
                }
                orders.increment();
            }
        }
        return allApplied;
    }

    private Optional<StreamControl> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return Optional.of(EventCodec.decode(record.value(), StreamControl.class));
        } catch (IllegalArgumentException e) {
            log.warn("skipping an unreadable stream.control record at {}-{}@{}", record.topic(), record.partition(),
                    record.offset());
            return Optional.empty();
        }
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
        loop.close();
    }
}
