package io.castpipe.api;

import io.castpipe.common.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.kafka.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import static org.awaitility.Awaitility.await;

/** Reads vod.jobs and video.events from the beginning, as a transcoder would, and keeps what it saw by video id. */
final class JobsProbe implements AutoCloseable {
    private final Map<String, List<VodJob>> jobs = new ConcurrentHashMap<>();
    private final Map<String, List<VideoEvent.Type>> events = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    private static JobsProbe shared;

    static synchronized JobsProbe shared() throws Exception {
        if (shared == null) {
            shared = new JobsProbe(ApiTestNode.shared());
        }
        return shared;
    }

    JobsProbe(ApiTestNode node) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafka().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        String jobsTopic = node.topics.name(Topic.VOD_JOBS);
        String eventsTopic = node.topics.name(Topic.VIDEO_EVENTS);
        List<TopicPartition> partitions = new java.util.ArrayList<>();
        for (String topic : List.of(jobsTopic, eventsTopic)) {
            consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        try {
                            if (r.topic().equals(jobsTopic)) {
                                jobs.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                        .add(EventCodec.decode(r.value(), VodJob.class));
                            } else {
                                events.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                        .add(EventCodec.decode(r.value(), VideoEvent.class).type());
                            }
                        } catch (IllegalArgumentException e) {
                            // records some tests publish on purpose to prove they are skipped
                        }
                    }
                }
            } finally {
                consumer.close();
            }
        }, "jobs-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** The first transcode job queued for the video, waiting for it up to 20 s. */
    VodJob awaitJob(String videoId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.containsKey(videoId));
        return jobs.get(videoId).get(0);
    }

    List<VodJob> jobs(String videoId) {
        return jobs.getOrDefault(videoId, List.of());
    }

    List<VideoEvent.Type> awaitEvents(String videoId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events.containsKey(videoId));
        return events.get(videoId);
    }

    @Override
    public void close() {
        running = false;
    }
}
