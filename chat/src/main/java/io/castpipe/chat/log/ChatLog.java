package io.castpipe.chat.log;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.castpipe.chat.room.Rooms;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.kafka.ConsumerLoop;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.node.Supervisor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole {@code chat} topic into this node's {@link Rooms}, every partition (outside any
 * consumer group), and is the only way anything reaches a room: a post goes to Kafka first and to the
 * clients when it comes back here, so every node shows a room's records in the same order.
 *
 * <p>At start the rooms' moderation settings (blocked words, slow mode, bans, timeouts) are read
 * whole from the compacted {@code chat.state} topic, which keeps the newest of each however old;
 * then each partition of {@code chat} is read from its last {@link #REPLAY_RECORDS} records (or
 * its beginning) up to where it ended then, quietly, to rebuild the rooms' history and what
 * changed since; from there on records are delivered to the clients. Nothing is committed: every
 * start rebuilds from the log.
 */
public final class ChatLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatLog.class);
    public static final int REPLAY_RECORDS = 10_000;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9_-]{2,31}");

    private final KafkaConsumer<String, byte[]> consumer;
    private final Properties settingsReader;
    private final Duration settingsLimit;
    private final String topic;
    private final String settingsTopic;
    private final Rooms rooms;
    private final ConsumerLoop loop;
    /** Touched by the consumer thread only (the rebalance listener runs inside its poll). */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> liveFrom = new HashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    public ChatLog(Supervisor supervisor, KafkaSettings kafka, Topics topics, Rooms rooms) {
        this.consumer = new KafkaConsumer<>(kafka.consumerOfEveryRecord("chat-log"));
        this.settingsReader = kafka.consumerOfEveryRecord("chat-settings");
        this.settingsLimit = kafka.timeout().multipliedBy(2);
        this.topic = topics.name(Topic.CHAT);
        this.settingsTopic = topics.name(Topic.CHAT_STATE);
        this.rooms = rooms;
        this.loop = new ConsumerLoop(supervisor, "chat-log", consumer, topic, () -> {
            restoreSettings();
            startReading();
        }, this::pollOnce);
    }

    public void start() {
        loop.start();
    }


    /** Applies the newest record of every setting on {@code chat.state}, read whole; on this log's thread, before {@code chat}. */
    private void restoreSettings() {
        long deadline = System.nanoTime() + settingsLimit.toNanos();
        long restored = 0;
        try (KafkaConsumer<String, byte[]> settings = new KafkaConsumer<>(settingsReader)) {
            List<TopicPartition> partitions = settings.partitionsFor(settingsTopic, settingsLimit).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            settings.assign(partitions);
            settings.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = settings.endOffsets(partitions, settingsLimit);
            while (partitions.stream().anyMatch(p -> settings.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    log.warn("{}: not read whole within {} s; the settings still missing come as they change",
                            settingsTopic, settingsLimit.toSeconds());
                    break;
                }
                for (ConsumerRecord<String, byte[]> record : settings.poll(POLL)) {
                    apply(record, false);
                    restored++;
                }
            }
        } catch (RuntimeException e) {
            log.warn("{}: could not be read ({}); the settings come as they change", settingsTopic, e.toString());
        }
        log.info("{}: {} room settings restored", settingsTopic, restored);
    }

    /** Waits until the records that were on the topic at start are applied; false if that took longer than {@code limit}. */
    public boolean awaitReplayed(Duration limit) throws InterruptedException {
        return caughtUp.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every partition of the chat topic, each from where this node got to, or from its last records at the first run. */
    private void startReading() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException(topic + " has no partitions yet"); // the supervisor tries again
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long replayed = 0;
        for (TopicPartition p : partitions) {
            Long known = next.get(p);
            if (known != null) {
                consumer.seek(p, known);
                continue;
            }
            long from = Math.max(begin.get(p), end.get(p) - REPLAY_RECORDS);
            consumer.seek(p, from);
            liveFrom.put(p, end.get(p));
            replayed += end.get(p) - from;
        }
        log.info("{}: rebuilding the rooms from {} records ({} partitions, at most the last {} records of each)",
                topic, replayed, partitions.size(), REPLAY_RECORDS);
    }

    private boolean pollOnce() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            TopicPartition p = new TopicPartition(record.topic(), record.partition());
            apply(record, record.offset() >= liveFrom.getOrDefault(p, 0L));
        }
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition p : assigned) {
            next.put(p, consumer.position(p));
        }
        if (caughtUp.getCount() > 0 && !assigned.isEmpty()
                && assigned.stream().allMatch(p -> next.get(p) >= liveFrom.getOrDefault(p, 0L))) {
            log.info("{}: rooms rebuilt; delivering new records", topic);
            caughtUp.countDown();
        }
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> record, boolean live) {
        ChatEvent e;
        try {
            e = EventCodec.decode(record.value(), ChatEvent.class);
        } catch (IllegalArgumentException ex) {
            log.warn("skipping an unreadable chat record at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        boolean setting = record.topic().equals(settingsTopic);
        if (e.type() == null || e.channel() == null || !CHANNEL.matcher(e.channel()).matches()
                || !Objects.equals(record.key(), setting ? e.stateKey() : e.channel()) || record.key() == null) {
            log.warn("skipping a chat record without a type or with a channel that is not its key, at {}-{}@{}",
                    record.topic(), record.partition(), record.offset());
            return;
        }
        try {
            rooms.apply(e, live);
        } catch (IllegalArgumentException ex) {
            log.warn("chat {}: skipping a record at {}-{}@{}: {}", e.channel(), record.topic(), record.partition(),
                    record.offset(), ex.getMessage());
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
