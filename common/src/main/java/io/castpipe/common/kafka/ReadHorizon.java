package io.castpipe.common.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * For each partition a consumer holds, the instant before which every record written to it has
 * been applied. Before a poll it asks the broker where the partitions end (a fresh request, not the
 * consumer's cached lag, which says nothing while the broker is away); once the position after
 * applying reaches that end, everything written before the ask is applied. A record that failed
 * (sought back), a broker that does not answer or a backlog leave the horizon where it was, so a
 * silence seen in the data can be told from a silence of the data's source. An ask the broker does
 * not answer also restarts the span it has been answering for: the data's source could not write
 * meanwhile either. Touched by the consumer's thread, except {@link #of}.
 */
final class ReadHorizon {
    private static final Duration ASK_EVERY = Duration.ofMillis(500);
    private static final Duration ASK_LIMIT = Duration.ofSeconds(2);

    private final KafkaConsumer<?, ?> consumer;
    private final String topic;
    private long lastAskNanos = System.nanoTime() - ASK_EVERY.toNanos();
    private Map<TopicPartition, Long> asked;
    private Instant askedAt;
    private int partitionCount;
    private Instant answeringSince;
    private volatile Horizon horizon = new Horizon(0, null, Map.of());

    private record Horizon(int partitions, Instant answeringSince, Map<Integer, Instant> reached) {
    }

    ReadHorizon(KafkaConsumer<?, ?> consumer, String topic) {
        this.consumer = consumer;
        this.topic = topic;
    }

    /** Before a poll: where each held partition ends now, asked at most once a second. */
    void beforePoll() {
        asked = null;
        Set<TopicPartition> held = consumer.assignment();
        if (held.isEmpty() || System.nanoTime() - lastAskNanos < ASK_EVERY.toNanos()) {
            return;
        }
        lastAskNanos = System.nanoTime();
        try {
            Instant at = Instant.now();
            Map<TopicPartition, Long> ends = consumer.endOffsets(held, ASK_LIMIT);
            int count = consumer.partitionsFor(topic, ASK_LIMIT).size();
            partitionCount = count;
            asked = ends;
            askedAt = at;
            if (answeringSince == null) {
                answeringSince = at;
            }
        } catch (KafkaException e) {
            // The broker is away: the horizon stays where it was, and the span it answered for ends.
            answeringSince = null;
            Horizon h = horizon;
            horizon = new Horizon(h.partitions(), null, h.reached());
        }
    }

    /** After the poll's records were applied (a failed one sought back to). */
    void afterApply() {
        if (asked == null) {
            return;
        }
        Map<Integer, Instant> before = horizon.reached();
        Map<Integer, Instant> next = new HashMap<>();
        for (TopicPartition p : consumer.assignment()) {
            Long end = asked.get(p);
            Instant previous = before.get(p.partition());
            try {
                if (end != null && consumer.position(p, ASK_LIMIT) >= end) {
                    next.put(p.partition(), askedAt);
                } else if (previous != null) {
                    next.put(p.partition(), previous);
                }
            } catch (KafkaException e) {
                if (previous != null) {
                    next.put(p.partition(), previous);
                }
            }
        }
        horizon = new Horizon(partitionCount, answeringSince, Map.copyOf(next));
        asked = null;
    }

    /**
     * The horizon of the partition records keyed {@code key} go to (the producers' default
     * partitioner: murmur2 of the key), if this consumer holds it and has reached one.
     */
    Optional<ReadSpan> of(String key) {
        Horizon h = horizon;
        if (h.partitions() == 0 || h.answeringSince() == null) {
            return Optional.empty();
        }
        int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % h.partitions();
        return Optional.ofNullable(h.reached().get(partition)).map(upTo -> new ReadSpan(h.answeringSince(), upTo));
    }
}
