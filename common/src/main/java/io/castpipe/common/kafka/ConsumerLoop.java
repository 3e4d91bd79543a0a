package io.castpipe.common.kafka;

import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread a Kafka consumer lives on, kept running by the node's {@link Supervisor}: runs
 * {@code first} (subscribing, seeking), then polls until {@link #close()}, pausing after a poll
 * that failed or asked for a pause so that a broken broker or record is not hammered. Anything
 * that escapes (a failed {@code first}, an error) ends that run: the supervisor counts it and
 * starts another, {@code first} included, on the same consumer, rewound to its committed offsets. The consumer is touched by the
 * loop's thread only, as kafka-clients requires, except for {@code wakeup()}, and closed by
 * {@link #close()} once that thread has returned.
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(2);
    /**
     * A poll returns within half a second and a commit within the client's API timeout (60 s);
     * a loop that has not turned for longer is stuck (in a database call, say) and the node not live.
     */
    static final Duration STALL_LIMIT = Duration.ofSeconds(120);
    private static final Duration REWIND_LIMIT = Duration.ofSeconds(10);

    private final Supervisor supervisor;
    private final String name;
    private final KafkaConsumer<?, ?> consumer;
    private final String topic;
    private final Runnable first;
    private final BooleanSupplier pollOnce;
    private volatile Supervised supervised;
    /** Runs started; touched by the supervised thread only. */
    private int runs;

    /**
     * @param name     the loop's name in logs, metrics and the health endpoints
     * @param pollOnce one poll and what it read applied; false to pause before the next
     * @param topic    named in the log lines
     */
    public ConsumerLoop(Supervisor supervisor, String name, KafkaConsumer<?, ?> consumer, String topic, Runnable first,
                        BooleanSupplier pollOnce) {
        this.supervisor = supervisor;
        this.name = name;
        this.consumer = consumer;
        this.topic = topic;
        this.first = first;
        this.pollOnce = pollOnce;
    }

    public void start() {
        supervised = supervisor.loop(name, STALL_LIMIT, Run::new);
    }

    /** True while a run polls (or backs off before the next); false once closed. */
    public boolean isRunning() {
        Supervised s = supervised;
        return s != null && s.status().state() != Supervised.State.STOPPED;
    }

    /** One run: {@code first}, then polls until stopped. */
    private final class Run implements Supervisor.Loop {
        private volatile boolean stopped;

        @Override
        public void run(Supervisor.Heartbeat heartbeat) throws InterruptedException {
            try {
                if (runs++ > 0) {
                    rewindToCommitted();
                }
                first.run();
                while (!stopped) {
                    heartbeat.beat();
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
                if (!stopped) {
                    throw e; // nobody asked: a failure like any other
                }
            }
        }

        @Override
        public void stop() {
            stopped = true;
            consumer.wakeup();
        }
    }

    /**
     * A run that failed may have left records read and not applied: the next starts from what was
     * committed, not from the consumer's position. (A consumer without a group keeps its position.)
     */
    private void rewindToCommitted() {
        Set<TopicPartition> held = consumer.assignment();
        if (held.isEmpty()) {
            return;
        }
        try {
            consumer.committed(held, REWIND_LIMIT).forEach((p, committed) -> {
                if (committed != null) {
                    consumer.seek(p, committed.offset());
                }
            });
        } catch (KafkaException e) {
            log.debug("{}: positions kept ({})", name, e.toString());
        }
    }

    @Override
    public void close() {
        Supervised s = supervised;
        if (s != null) {
            s.close();
        }
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (ConcurrentModificationException e) {
            log.warn("{}: its consumer is still in use by a loop that did not stop; left to the process's end", name);
        }
    }
}
