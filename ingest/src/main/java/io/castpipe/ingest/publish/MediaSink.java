package io.castpipe.ingest.publish;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.MediaTagCodec;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.node.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands records to Kafka off the event loops: one sender thread calls the producer (whose
 * {@code send} may block on metadata), in the order the records came, so a stream's records stay
 * in order. Each publisher has an {@link InFlight} budget; a stream that would go past it is
 * told so, and its connection is closed rather than buffered without limit.
 */
public final class MediaSink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaSink.class);
    /** Bytes one publisher may have on their way to Kafka. */
    public static final long MAX_IN_FLIGHT_BYTES = 32L * 1024 * 1024;
    /** Records one publisher may have on their way to Kafka. */
    public static final long MAX_IN_FLIGHT_RECORDS = 4096;

    private final EventPublisher publisher;
    private final ExecutorService sender;

    public MediaSink(EventPublisher publisher) {
        this.publisher = publisher;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named("ingest-kafka-sender"));
    }

    /** What one publisher has in flight. {@code onFailure} runs once, on any thread, when Kafka refuses a record. */
    public static final class InFlight {
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong records = new AtomicLong();
        final Consumer<String> onFailure;
        volatile boolean failed;

        public InFlight(Consumer<String> onFailure) {
            this.onFailure = onFailure;
        }

        public long bytes() {
            return bytes.get();
        }

        public long records() {
            return records.get();
        }
    }

    /** Queues a media tag; false (nothing queued) when the publisher's budget is spent. */
    public boolean media(MediaTag tag, InFlight budget) {
        byte[] value = MediaTagCodec.encode(tag);
        if (budget.bytes.get() + value.length > MAX_IN_FLIGHT_BYTES || budget.records.get() + 1 > MAX_IN_FLIGHT_RECORDS) {
            return false;
        }
        send(Topic.MEDIA_LIVE, tag.streamId(), value, budget);
        return true;
    }

    /** Queues a stream event; these are small and not counted against a budget. */
    public void event(StreamEvent event) {
        send(Topic.STREAM_EVENTS, event.streamId(), EventCodec.encode(event), null);
    }

    private void send(Topic topic, String key, byte[] value, InFlight budget) {
        if (budget != null) {
            budget.bytes.addAndGet(value.length);
            budget.records.incrementAndGet();
        }
        try {
            sender.execute(() -> {
                try {
                    publisher.publishBytes(topic, key, value, (meta, error) -> done(topic, key, value.length, budget, error));
                } catch (RuntimeException e) {
                    done(topic, key, value.length, budget, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done(topic, key, value.length, budget, e);
        }
    }

    private static void done(Topic topic, String key, int length, InFlight budget, Exception error) {
        if (budget != null) {
            budget.bytes.addAndGet(-length);
            budget.records.decrementAndGet();
        }
        if (error != null) {
            if (budget != null && !budget.failed) {
                budget.failed = true;
                budget.onFailure.accept("Kafka did not take a " + topic.baseName() + " record: " + error.getMessage());
            } else if (budget == null) {
                log.warn("stream {}: Kafka did not take a {} record: {}", key, topic.baseName(), error.getMessage());
            }
        }
    }

    /** Sends what is queued (waiting at most {@code millis}), then stops taking records. */
    @Override
    public void close() {
        close(2000);
    }

    public void close(long millis) {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                log.warn("Kafka sender still busy after {} ms; dropping {} queued records", millis,
                        sender.shutdownNow().size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sender.shutdownNow();
        }
    }
}
