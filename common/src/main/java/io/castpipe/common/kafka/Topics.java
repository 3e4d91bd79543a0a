package io.castpipe.common.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.castpipe.common.config.ConfigException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Topic names under the configured prefix, and their creation at start. */
public final class Topics {
    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = prefix;
    }

    public String name(Topic topic) {
        return prefix + topic.baseName();
    }

    /**
     * Connects to the cluster and creates the topics that are missing. This is also the start-up
     * check that Kafka is reachable: it fails with a message that says what to fix.
     */
    public void ensureCreated(KafkaSettings kafka, int partitions, short replication) {
        int timeoutMs = (int) kafka.timeout().toMillis();
        try (Admin admin = Admin.create(kafka.admin(kafka.timeout()))) {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic t : Topic.values()) {
                if (!existing.contains(name(t))) {
                    missing.add(new NewTopic(name(t), partitions, replication).configs(topicConfig(t, replication)));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                log.info("created Kafka topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (TimeoutException e) {
            throw notAnswering(kafka);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw notAnswering(kafka);
            }
            throw new ConfigException("Kafka at " + kafka.bootstrap() + " refused to set up topics ("
                    + e.getCause().getMessage() + "); check CASTPIPE_KAFKA_REPLICATION against the number of brokers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to Kafka", e);
        }
    }

    private static ConfigException notAnswering(KafkaSettings kafka) {
        return new ConfigException("Kafka at " + kafka.bootstrap() + " did not answer within "
                + kafka.timeout().toSeconds() + " s; start it or point CASTPIPE_KAFKA_BOOTSTRAP at a running broker");
    }

    /**
     * Live media and the orders to end a live stream matter for minutes; chat and events are kept as the replay log of past
     * broadcasts; a chat room's moderation settings are kept as long as they hold (the newest
     * record of each key).
     */
    static Map<String, String> topicConfig(Topic t, short replication) {
        Map<String, String> config = new HashMap<>(switch (t) {
            case MEDIA_LIVE, HLS_UPDATES, STREAM_CONTROL -> Map.of("retention.ms", String.valueOf(TimeUnit.HOURS.toMillis(1)));
            case CHAT, VIDEO_EVENTS, STREAM_EVENTS -> Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(30)));
            case VOD_JOBS, VOD_JOBS_DLQ -> Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(7)));
            case CHAT_STATE -> Map.of("cleanup.policy", "compact");
        });
        // With acks=all, a record is acknowledged once this many replicas have it: all but one,
        // so one broker may be lost without losing an acknowledged record or refusing new ones.
        config.put("min.insync.replicas", String.valueOf(Math.max(1, replication - 1)));
        return config;
    }
}
