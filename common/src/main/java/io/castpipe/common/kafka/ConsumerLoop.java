package io.castpipe.common.kafka;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread a Kafka consumer lives on: runs {@code first} (subscribing, seeking), then polls
 * until {@link #close()}, pausing after a poll that failed or asked for a pause so that a broken
 * broker or record is not hammered; closes the consumer on the way out. The consumer is touched by
 * this thread only, as kafka-clients requires, except for {@code wakeup()}.
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(2);

    private final KafkaConsumer<?, ?> consumer;
    private final String topic;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param pollOnce one poll and what it read applied; false to pause before the next
     * @param topic    named in the log lines
     */
    public ConsumerLoop(String threadName, KafkaConsumer<?, ?> consumer, String topic, Runnable first, BooleanSupplier pollOnce) {
        this.consumer = consumer;
        this.topic = topic;
        this.thread = new Thread(() -> run(first, pollOnce), threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run(Runnable first, BooleanSupplier pollOnce) {
        try {
            first.run();
            while (running) {
                try {
                    if (!pollOnce.getAsBoolean()) {
                        Thread.sleep(RETRY_PAUSE.toMillis());
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // A failed commit (after a rebalance, say) only means some records come again.
                    log.warn("{}: {}; carrying on", topic, e.toString());
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
