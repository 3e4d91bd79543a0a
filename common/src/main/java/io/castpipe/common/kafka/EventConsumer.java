package io.castpipe.common.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.node.Supervisor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
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
    /** Records a partition may still have unread and count as read to its end: about a poll's worth. */
    private static final long UP_TO_DATE_LAG = 1000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Class<T> type;
    private final Consumer<T> apply;
    private final ConsumerLoop loop;
    /** Touched by the loop's thread only. */
    private int partitionCount;
    private volatile Reading reading = new Reading(0, 0, Set.of());

    /** @param name the loop's name in logs, metrics and the health endpoints */
    public EventConsumer(Supervisor supervisor, String name, KafkaSettings kafka, Topics topics, Topic topic, String groupId,
                         Class<T> type, Consumer<T> apply) {
        this(supervisor, name, kafka, topics, topic, groupId, type, apply, false);
    }

    /** @param newestOnly a new group starts at the end of the topic instead of its beginning */
    public EventConsumer(Supervisor supervisor, String name, KafkaSettings kafka, Topics topics, Topic topic, String groupId,
                         Class<T> type, Consumer<T> apply, boolean newestOnly) {
        java.util.Properties props = kafka.consumer(groupId);
        if (newestOnly) {
            props.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        }
        this.consumer = new KafkaConsumer<>(props);
        this.topic = topics.name(topic);
        this.type = type;
        this.apply = apply;
        this.loop = new ConsumerLoop(supervisor, name, consumer, this.topic,
                () -> consumer.subscribe(List.of(this.topic)), this::pollOnce);
    }

    public void start() {
        loop.start();
    }

    public boolean isRunning() {
        return loop.isRunning();
    }

    /** Applies one poll's records and commits what was applied; false when one must be retried. */
    private boolean pollOnce() {
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
        if (!done.isEmpty()) {
            consumer.commitSync(done);
        }
        noteHowFarRead();
        return allApplied;
    }

    /** Which partitions this member holds and has read to within {@link #UP_TO_DATE_LAG} records of their end. */
    private void noteHowFarRead() {
        if (partitionCount == 0) {
            partitionCount = consumer.partitionsFor(topic).size();
        }
        Set<Integer> upToDate = new HashSet<>();
        for (TopicPartition p : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(p);
            if (lag.isPresent() && lag.getAsLong() <= UP_TO_DATE_LAG) {
                upToDate.add(p.partition());
            }
        }
        reading = new Reading(System.nanoTime(), partitionCount, Set.copyOf(upToDate));
    }

    /**
     * True when this member holds the partition records keyed {@code key} go to (the producer's
     * default partitioner: murmur2 of the key) and read it to its end within {@code within}.
     */
    public boolean upToDateOn(String key, Duration within) {
        Reading r = reading;
        if (r.partitions() == 0 || System.nanoTime() - r.atNanos() > within.toNanos()) {
            return false;
        }
        int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % r.partitions();
        return r.upToDate().contains(partition);
    }

    private record Reading(long atNanos, int partitions, Set<Integer> upToDate) {
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
