package io.castpipe.common.node;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One loop a {@link Supervisor} keeps running, on a thread of its own; {@link #close()} stops it for good. */
public final class Supervised implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervised.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    public enum State { RUNNING, BACKING_OFF, STOPPED }

    /** What the health endpoints show of a loop. */
    public record Status(String name, State state, int restarts, String lastFailure, Duration sinceBeat, boolean wedged) {
    }

    private final Supervisor supervisor;
    private final String name;
    private final Duration stallLimit;
    private final Supplier<Supervisor.Loop> factory;
    private final Counter restartCount;
    private final AtomicInteger restarts = new AtomicInteger();
    private final Thread thread;
    private volatile State state = State.RUNNING;
    private volatile long lastBeatNanos = System.nanoTime();
    private volatile String lastFailure;
    private volatile Supervisor.Loop current;
    private volatile boolean stopping;

    Supervised(Supervisor supervisor, String name, Duration stallLimit, Supplier<Supervisor.Loop> factory, MeterRegistry meters) {
        this.supervisor = supervisor;
        this.name = name;
        this.stallLimit = stallLimit;
        this.factory = factory;
        this.restartCount = Counter.builder("castpipe.supervised.restarts").tag("name", name)
                .description("Restarts of a supervised loop after it failed").register(meters);
        Gauge.builder("castpipe.supervised.running", this, s -> s.state == State.RUNNING ? 1 : 0).tag("name", name)
                .description("1 while the supervised loop runs, 0 while it backs off or has stopped").register(meters);
        this.thread = DaemonThreads.named(name).newThread(this::superviseLoop);
    }

    public String name() {
        return name;
    }

    void start() {
        thread.start();
    }

    private void superviseLoop() {
        Duration backoff = Supervisor.FIRST_BACKOFF;
        while (!stopping && !supervisor.closed()) {
            long started = System.nanoTime();
            lastBeatNanos = started;
            state = State.RUNNING;
            try {
                Supervisor.Loop loop = factory.get();
                current = loop;
                if (stopping || supervisor.closed()) {
                    loop.stop(); // close() came while it was being built: let it release what it holds
                }
                loop.run(() -> lastBeatNanos = System.nanoTime());
                if (stopping || supervisor.closed()) {
                    break;
                }
                lastFailure = "returned without being stopped";
                log.warn("{} returned without being stopped; restarting it", name);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (stopping || supervisor.closed()) {
                    break;
                }
                lastFailure = e.toString();
                log.error("{} failed; restarting it", name, e);
            } finally {
                current = null;
            }
            restarts.incrementAndGet();
            restartCount.increment();
            state = State.BACKING_OFF;
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(Supervisor.HEALTHY_RUN) >= 0) {
                backoff = Supervisor.FIRST_BACKOFF;
            }
            try {
                synchronized (this) {
                    if (!stopping) {
                        wait(backoff.toMillis());
                    }
                }
            } catch (InterruptedException e) {
                // Only close() ends supervision; a stray interrupt (left by the loop) does not.
                Thread.interrupted();
            }
            backoff = backoff.multipliedBy(2).compareTo(Supervisor.MAX_BACKOFF) > 0 ? Supervisor.MAX_BACKOFF : backoff.multipliedBy(2);
            if (!stopping) {
                log.info("{}: restarting (restart {})", name, restarts.get());
            }
        }
        state = State.STOPPED;
    }

    public Status status() {
        Duration sinceBeat = Duration.ofNanos(System.nanoTime() - lastBeatNanos);
        State s = state;
        return new Status(name, s, restarts.get(), lastFailure, sinceBeat,
                s == State.RUNNING && sinceBeat.compareTo(stallLimit) > 0);
    }

    /** Asks the loop to stop, for good, without waiting; {@link #close()} waits. */
    public void requestStop() {
        stopping = true;
        Supervisor.Loop loop = current;
        if (loop != null) {
            loop.stop();
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /** Stops the loop and waits for it to return; it is not restarted. */
    @Override
    public void close() {
        requestStop();
        try {
            thread.join(STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("{} did not stop within {} s", name, STOP_WAIT.toSeconds());
        }
        supervisor.forget(this);
    }
}
