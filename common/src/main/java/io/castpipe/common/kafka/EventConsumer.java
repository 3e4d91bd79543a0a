package io.castpipe.common.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.node.Supervisor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each JSON record of one topic, in order per partition, on a supervised thread of its own, and
 * commits an offset only after its record was applied. A record whose application fails is
 * read again after a pause (so the work it stands for is never lost); one that cannot be
 * decoded is skipped with a log line (so it cannot block the partition).
 */
public final class EventConsumer<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Class<T> type;
    private final Consumer<T> apply;
    private final ConsumerLoop loop;
    private final boolean grouped;
    private volatile ReadHorizon horizon;

    /**
     * A member of consumer group {@code groupId}: the group shares the partitions out and an
     * offset is committed once its record was applied.
     *
     * @param name the loop's name in logs, metrics and the health endpoints
     */
    public EventConsumer(Supervisor supervisor, String name, KafkaSettings kafka, Topics topics, Topic topic, String groupId,
                         Class<T> type, Consumer<T> apply) {
        this(supervisor, name, kafka.consumer(groupId), topics.name(topic), type, apply, true, false);
    }

    /**
     * Every record of the topic, from its beginning or, with {@code newestOnly}, from its end
     * when the node starts, for state each node keeps for itself; outside any group, nothing committed.
     */
    public static <T> EventConsumer<T> ofEveryRecord(Supervisor supervisor, String name, KafkaSettings kafka, Topics topics,
                                                     Topic topic, Class<T> type, Consumer<T> apply, boolean newestOnly) {
        return new EventConsumer<>(supervisor, name, kafka.consumerOfEveryRecord(name), topics.name(topic), type, apply,
                false, newestOnly);
    }

    private EventConsumer(Supervisor supervisor, String name, java.util.Properties props, String topic, Class<T> type,
                          Consumer<T> apply, boolean grouped, boolean newestOnly) {
        this.consumer = new KafkaConsumer<>(props);
        this.topic = topic;
        this.type = type;
        this.apply = apply;
        this.grouped = grouped;
        Runnable first = grouped ? () -> consumer.subscribe(List.of(topic)) : () -> assignEveryPartition(newestOnly);
        this.loop = new ConsumerLoop(supervisor, name, consumer, topic, first, this::pollOnce);
    }

    /** Once: a loop started again goes on from where the last one was. */
    private void assignEveryPartition(boolean newestOnly) {
        if (!consumer.assignment().isEmpty()) {
            return;
        }
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException(topic + " has no partitions yet"); // the supervisor tries again
        }
        consumer.assign(partitions);
        if (newestOnly) {
            consumer.seekToEnd(partitions);
        } else {
            consumer.seekToBeginning(partitions);
        }
    }

    public void start() {
        loop.start();
    }

    public boolean isRunning() {
        return loop.isRunning();
    }

    /** Applies one poll's records and commits what was applied; false when one must be retried. */
    private boolean pollOnce() {
        ReadHorizon h = horizon;
        if (h != null) {
            h.beforePoll();
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean allApplied = true;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                try {
                    decode(record).ifPresent(apply);
                } catch (RuntimeException e) {
                    log.warn("{} {}: could not apply a record, will retry: {}", topic, record.key(), e.toString());
                    consumer.seek(partition, record.offset());
                    allApplied = false;
                    break;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        if (grouped && !done.isEmpty()) {
            consumer.commitSync(done);
        }
        if (h != null) {
            h.afterApply();
        }
        return allApplied;
    }

    /**
     * From now on, keeps for each partition the instant before which every record of it was
     * applied ({@link #readUpTo}); call before {@link #start()}. It costs a request to the broker every half second.
     */
    public void trackReadHorizon() {
        horizon = new ReadHorizon(consumer, topic);
    }

    /**
     * What this member has certainly read of the partition records keyed {@code key} go to;
     * empty when another member holds it or this one has not read it to its end yet.
     */
    public java.util.Optional<ReadSpan> readUpTo(String key) {
        ReadHorizon h = horizon;
        return h == null ? java.util.Optional.empty() : h.of(key);
    }

    private java.util.Optional<T> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return java.util.Optional.of(EventCodec.decode(record.value(), type));
        } catch (IllegalArgumentException e) {
            log.warn("skipping an unreadable record at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage().lines().findFirst().orElse(""));
            return java.util.Optional.empty();
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
