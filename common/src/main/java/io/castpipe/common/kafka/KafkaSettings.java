package io.castpipe.common.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How this node's clients reach Kafka, and the client settings every role shares: producers
 * are idempotent and wait for all in-sync replicas; consumers commit by hand once work is durable.
 */
public record KafkaSettings(String bootstrap, String clientIdPrefix, Duration timeout) {
    /**
     * How long a producer of media records gathers them into one request. Media tags and HLS
     * updates come tens of times a second per stream; sent one request each, the broker's request
     * handling was the largest CPU cost of a live stream. Ten milliseconds is nothing beside a
     * part's duration; other records (chat lines, events) go at once.
     */
    static final int MEDIA_LINGER_MS = 10;

    Map<String, Object> common() {
        Map<String, Object> m = new HashMap<>();
        m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        m.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdPrefix);
        // Fail fast and quietly when the broker is down instead of logging a reconnect storm.
        m.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        return m;
    }

    /** Keys are strings (stream, video or channel ids); values are bytes. */
    public Properties producer(String purpose) {
        return producer(purpose, defaultDeliveryTimeout());
    }

    Duration defaultDeliveryTimeout() {
        return Duration.ofMillis(Math.max(timeout.toMillis(), 30_000));
    }

    /** @param deliveryTimeout how long a record may wait for the brokers before its send fails */
    public Properties producer(String purpose, Duration deliveryTimeout) {
        return producer(purpose, deliveryTimeout, 0);
    }

    /** A producer of media records, which {@link #MEDIA_LINGER_MS gathers} them. */
    Properties mediaProducer(String purpose, Duration deliveryTimeout) {
        return producer(purpose, deliveryTimeout, MEDIA_LINGER_MS);
    }

    private Properties producer(String purpose, Duration deliveryTimeout, int lingerMs) {
        Properties p = new Properties();
        p.putAll(common());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        // Kafka wants a delivery timeout of at least the linger and one request's timeout.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, deliveryTimeout.toMillis() - lingerMs));
        return p;
    }

    /** For an admin client whose calls give up after {@code timeout}. */
    public Properties admin(Duration timeout) {
        Properties p = new Properties();
        p.putAll(common());
        int timeoutMs = (int) timeout.toMillis();
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5000));
        return p;
    }

    /** A member of consumer group {@code groupId}, which shares the topic's partitions out and keeps what was committed. */
    public Properties consumer(String groupId) {
        Properties p = consumerOfEveryRecord(groupId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return p;
    }

    /**
     * A consumer outside any group, for what every node keeps in memory: it is given every
     * partition and seeks for itself, commits nothing, and leaves nothing in the broker when the
     * node is gone (a group per node start did, until the broker expired its offsets).
     */
    public Properties consumerOfEveryRecord(String purpose) {
        Properties p = new Properties();
        p.putAll(common());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }
}
