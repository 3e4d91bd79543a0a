package io.castpipe.api.outbox;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the {@link Outbox}'s records to Kafka, oldest first, and deletes each once the broker has
 * it. One api node relays at a time (a lease in the database, renewed while it runs), so records
 * of one key reach their partition in the order they were written. It sends at once when this
 * node commits records and looks every second for those other nodes wrote. While Kafka or the
 * database is down it retries every second, and the records wait in the database: nothing is lost,
 * the work they stand for only starts late ({@code castpipe_outbox_pending}).
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    /** Held this long from each renewal; renewed every turn once a quarter of it has passed. */
    static final Duration LEASE = Duration.ofSeconds(20);
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);
    /** How long one batch may wait for the broker: well inside the lease, so no other node relays meanwhile. */
    private static final Duration SEND_LIMIT = Duration.ofSeconds(5);
    private static final Duration STALL_LIMIT = Duration.ofSeconds(120);
    private static final int BATCH = 500;

    private final Outbox outbox;
    private final EventPublisher publisher;
    private final String holder;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong pending = new AtomicLong();
    private final Counter relayed;
    private Supervised loop;

    /** @param holder this node's name in the lease */
    public OutboxRelay(Outbox outbox, EventPublisher publisher, String holder, MeterRegistry meters) {
        this.outbox = outbox;
        this.publisher = publisher;
        this.holder = holder;
        this.relayed = Counter.builder("castpipe.outbox.relayed").description("Outbox records sent to Kafka").register(meters);
        Gauge.builder("castpipe.outbox.pending", pending, AtomicLong::get)
                .description("Outbox records waiting to be sent, as the relay last saw them").register(meters);
    }

    public void start(Supervisor supervisor) {
        outbox.onWritten(this::wake);
        loop = supervisor.loop("outbox-relay", STALL_LIMIT, Run::new);
    }

    private void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private final class Run implements Supervisor.Loop {
        private volatile boolean stopped;
        private volatile Thread runner;
        private Instant leaseUntil = Instant.MIN;
        private int failuresInARow;
        private final java.util.Set<Long> unknownLogged = new java.util.HashSet<>();
        private final java.util.Map<Long, Future<RecordMetadata>> inFlight = new java.util.HashMap<>();

        @Override
        public void run(Supervisor.Heartbeat heartbeat) throws InterruptedException {
            runner = Thread.currentThread();
            while (!stopped) {
                heartbeat.beat();
                try {
                    if (!holdLease()) {
                        pause(LEASE.dividedBy(2));
                        continue;
                    }
                    List<Outbox.Entry> batch = outbox.oldest(BATCH);
                    pending.set(batch.size() < BATCH ? batch.size() : outbox.pending());
                    if (batch.isEmpty()) {
                        pause(LOOK_EVERY);
                        continue;
                    }
                    List<Outbox.Entry> sent = send(batch);
                    if (Instant.now().isAfter(leaseUntil)) {
                        continue; // another node may relay by now: what was sent is sent again, and deleted by one of us
                    }
                    outbox.delete(sent);
                    relayed.increment(sent.size());
                    pending.addAndGet(-sent.size());
                    if (sent.size() < batch.size()) {
                        pause(LOOK_EVERY);
                    } else if (failuresInARow > 0) {
                        log.info("outbox: relaying again after {} failed turn(s)", failuresInARow);
                        failuresInARow = 0;
                    }
                } catch (SQLException | RuntimeException e) {
                    if (failuresInARow++ == 0) {
                        log.warn("outbox: relaying failed ({}); records wait in the database, retrying every {} s",
                                e.toString(), LOOK_EVERY.toSeconds());
                    }
                    pause(LOOK_EVERY);
                }
            }
        }

        private boolean holdLease() throws SQLException {
            Instant now = Instant.now();
            if (Duration.between(now, leaseUntil).compareTo(LEASE.multipliedBy(3).dividedBy(4)) > 0) {
                return true;
            }
            if (!outbox.lease(holder, LEASE, now)) {
                leaseUntil = Instant.MIN;
                return false;
            }
            leaseUntil = now.plus(LEASE);
            return true;
        }

        /**
         * Sends the batch; returns the records the broker has, up to the first it refused (the rest
         * are sent again). A record for a topic this version does not know (a newer one wrote it) is
         * left for a node that knows it.
         */
        private List<Outbox.Entry> send(List<Outbox.Entry> batch) throws InterruptedException {
            inFlight.keySet().retainAll(batch.stream().map(Outbox.Entry::id).toList()); // the others are deleted
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (Outbox.Entry e : batch) {
                // One still on its way from an earlier turn (the broker was slow) is waited for, not sent again.
                futures.add(e.topic() == null ? null
                        : inFlight.computeIfAbsent(e.id(), id -> publisher.publishBytes(e.topic(), e.key(), e.payload(), null)));
            }
            List<Outbox.Entry> sent = new ArrayList<>();
            long deadline = System.nanoTime() + SEND_LIMIT.toNanos();
            for (int i = 0; i < batch.size(); i++) {
                Outbox.Entry e = batch.get(i);
                if (futures.get(i) == null) {
                    if (unknownLogged.add(e.id())) {
                        log.warn("outbox: record {} is for a topic this version does not know; left for a newer node", e.id());
                    }
                    continue;
                }
                try {
                    futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    inFlight.remove(e.id());
                } catch (ExecutionException | TimeoutException ex) {
                    if (ex instanceof ExecutionException) {
                        inFlight.remove(e.id()); // refused: sent again next turn
                    }
                    if (sent.isEmpty() && failuresInARow++ == 0) {
                        log.warn("outbox: Kafka did not take record {} for {} ({}); retrying every {} s", e.id(),
                                e.topic().baseName(), ex.getCause() == null ? ex.toString() : ex.getCause().toString(),
                                LOOK_EVERY.toSeconds());
                    }
                    return sent;
                }
                sent.add(e);
            }
            return sent;
        }

        private void pause(Duration d) throws InterruptedException {
            if (wake.tryAcquire(d.toMillis(), TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        }

        @Override
        public void stop() {
            stopped = true;
            wake();
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (loop == null) {
            return;
        }
        loop.close();
        try {
            outbox.release(holder);
        } catch (SQLException | RuntimeException e) {
            log.debug("outbox: lease not given up ({}); it runs out by itself", e.toString());
        }
    }
}
