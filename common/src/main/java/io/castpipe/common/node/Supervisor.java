package io.castpipe.common.node;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a role's long-lived work running. A {@link Loop} (a consumer's poll loop, say) that throws,
 * or returns while nobody asked it to stop, is built again from its factory and restarted after a
 * backoff: 1 s, doubling up to 30 s, back to 1 s once an instance has run for a minute. A
 * periodic task that throws runs again at its next turn, where a bare
 * {@code ScheduledExecutorService} would cancel it for good without a word. Every restart and
 * failure is logged with the name and counted ({@code castpipe_supervised_restarts_total{name}},
 * {@code castpipe_supervised_failures_total{name}} for a periodic task's failed turns);
 * {@link #statuses()} tells the health endpoints which are running, backing off or wedged (no
 * heartbeat within their limit).
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** An instance that ran this long before failing was healthy: the backoff starts over. */
    static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private final MeterRegistry meters;
    private final List<Supervised> all = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public Supervisor(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One run of a loop: returns when {@link #stop()} was called, throws when it failed. */
    public interface Loop {
        /** Runs until stopped; calls {@code heartbeat.beat()} at least once per turn of the loop. */
        void run(Heartbeat heartbeat) throws Exception;

        /** Asks {@link #run} to return soon (from another thread); e.g. a Kafka consumer's {@code wakeup()}. */
        void stop();
    }

    /** What a running loop calls to say it is turning. */
    @FunctionalInterface
    public interface Heartbeat {
        void beat();
    }

    /** What a periodic task does each turn. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    /**
     * Starts a loop, built by {@code factory} now and after each failure. It counts as wedged
     * when it has not beaten for {@code stallLimit}.
     */
    public Supervised loop(String name, Duration stallLimit, Supplier<Loop> factory) {
        Supervised s = new Supervised(this, name, stallLimit, factory, meters);
        register(s);
        return s;
    }

    /**
     * Runs {@code task} every {@code period} (the first time one period from now) on a thread of
     * its own; it counts as wedged when one run takes longer than {@code stallLimit}.
     */
    public Supervised every(String name, Duration period, Duration stallLimit, Task task) {
        Counter failures = Counter.builder("castpipe.supervised.failures").tag("name", name)
                .description("Turns of a supervised periodic task that failed").register(meters);
        return loop(name, stallLimit, () -> new PeriodicLoop(name, period, task, failures));
    }

    private void register(Supervised s) {
        if (closed) {
            throw new IllegalStateException("supervisor closed; not starting " + s.name());
        }
        all.add(s);
        s.start();
    }

    boolean closed() {
        return closed;
    }

    void forget(Supervised s) {
        all.remove(s);
    }

    /** Each supervised loop's state, in the order they were started. */
    public List<Supervised.Status> statuses() {
        return all.stream().map(Supervised::status).toList();
    }

    /** Stops whatever is still running (services stop their own first). */
    @Override
    public void close() {
        closed = true;
        for (Supervised s : all) {
            s.close();
        }
    }

    /** Runs a task, then sleeps a period; a failure is logged and counted, the next turn comes as usual. */
    private static final class PeriodicLoop implements Loop {
        private final String name;
        private final Duration period;
        private final Task task;
        private final Counter failures;
        private volatile Thread runner;
        private volatile boolean stopped;
        private int failuresInARow;

        PeriodicLoop(String name, Duration period, Task task, Counter failures) {
            this.name = name;
            this.period = period;
            this.task = task;
            this.failures = failures;
        }

        @Override
        public void run(Heartbeat heartbeat) {
            runner = Thread.currentThread();
            while (!stopped) {
                heartbeat.beat();
                try {
                    Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                heartbeat.beat();
                try {
                    task.run();
                    if (failuresInARow > 0) {
                        log.info("{}: works again after {} failed turn(s)", name, failuresInARow);
                    }
                    failuresInARow = 0;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.increment();
                    // One line per streak of failures, not one per turn.
                    if (failuresInARow++ == 0) {
                        log.warn("{}: a turn failed ({}); trying again every {} ms", name, e.toString(), period.toMillis());
                    }
                }
            }
        }

        @Override
        public void stop() {
            stopped = true;
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
