package io.castpipe.common.kafka;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.castpipe.common.events.EventCodec;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Puts Castpipe's records on their topics as JSON, through one idempotent producer. */
public final class EventPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;

    public EventPublisher(KafkaSettings kafka, Topics topics, String purpose) {
        this(kafka, topics, purpose, null);
    }

    /** @param deliveryTimeout how long a record may wait for the brokers before it fails; null for the default */
    public EventPublisher(KafkaSettings kafka, Topics topics, String purpose, Duration deliveryTimeout) {
        this(new KafkaProducer<>(deliveryTimeout == null ? kafka.producer(purpose) : kafka.producer(purpose, deliveryTimeout)), topics);
    }

    private EventPublisher(KafkaProducer<String, byte[]> producer, Topics topics) {
        this.producer = producer;
        this.topics = topics;
    }

    /**
     * For media records, tens a second per stream (media tags, HLS updates): gathered for a few
     * milliseconds into one request. {@code deliveryTimeout} null for the default.
     */
    public static EventPublisher ofMedia(KafkaSettings kafka, Topics topics, String purpose, Duration deliveryTimeout) {
        return new EventPublisher(new KafkaProducer<>(kafka.mediaProducer(purpose,
                deliveryTimeout == null ? kafka.defaultDeliveryTimeout() : deliveryTimeout)), topics);
    }

    public Future<RecordMetadata> publish(Topic topic, String key, Object record) {
        return producer.send(new ProducerRecord<>(topics.name(topic), key, EventCodec.encode(record)));
    }

    /**
     * Publishes bytes already encoded (e.g. by {@code MediaTagCodec}) without waiting; the callback
     * runs on the producer's I/O thread when the broker has the record or it failed.
     */
    public Future<RecordMetadata> publishBytes(Topic topic, String key, byte[] value, Callback callback) {
        return producer.send(new ProducerRecord<>(topics.name(topic), key, value), callback);
    }

    /**
     * Fetches the topics' partitions now. A producer learns them at its first send to a topic, and
     * that send waits for them on the caller's thread, up to a minute while Kafka is unreachable;
     * asked here, at start, a later send returns at once and its failure comes to its callback.
     *
     * @throws org.apache.kafka.common.KafkaException when Kafka did not answer in time
     */
    public void learnPartitions(Topic... topicsToLearn) {
        for (Topic topic : topicsToLearn) {
            producer.partitionsFor(topics.name(topic));
        }
    }

    /** Publishes and waits until the broker has the record: for records that must not be lost. */
    public void publishDurably(Topic topic, String key, Object record) {
        try {
            publish(topic, key, record).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka refused a " + topic.baseName() + " record: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not take a " + topic.baseName() + " record within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
