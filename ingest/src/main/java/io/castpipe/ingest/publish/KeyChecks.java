package io.castpipe.ingest.publish;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.castpipe.common.node.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream-key lookups of the RTMP connections, off the event loops: {@link #THREADS} threads and
 * a queue with room for one lookup per connection the process may hold. A connection has at most
 * one lookup queued or running (its session checks one publish at a time, reading nothing more
 * meanwhile) and {@linkplain Pending#cancel() takes it out} when it closes, so a flood of publishes
 * with made-up keys can make a lookup wait its turn but never push a publisher's out while the
 * process is under its connection cap.
 */
public final class KeyChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyChecks.class);
    static final int THREADS = 2;

    private final StreamKeys keys;
    private final ThreadPoolExecutor threads;

    /** @param maxConnections the most connections the process holds ({@code CASTPIPE_RTMP_MAX_CONNECTIONS}) */
    public KeyChecks(StreamKeys keys, int maxConnections) {
        this.keys = keys;
        this.threads = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxConnections), DaemonThreads.numbered("ingest-keys-"));
    }

    /** A lookup queued or running; {@link #cancel()} takes it out of the queue. */
    public final class Pending {
        private final FutureTask<Void> task;

        private Pending(FutureTask<Void> task) {
            this.task = task;
        }

        public void cancel() {
            threads.remove(task);
        }
    }

    /**
     * Looks {@code key} up and hands the answer to {@code then} on {@code back}: the channel it
     * opens, empty when none, or null when the key could not be checked (the database failed, or
     * the lookup could not be queued).
     */
    public Pending check(String key, Executor back, Consumer<Optional<Channel>> then) {
        FutureTask<Void> task = new FutureTask<>(() -> {
            Optional<Channel> found;
            try {
                found = keys.lookup(key);
            } catch (Exception e) {
                log.warn("stream key lookup failed: {}", e.getMessage());
                found = null;
            }
            Optional<Channel> answer = found;
            back.execute(() -> then.accept(answer));
        }, null);
        try {
            threads.execute(task);
        } catch (RejectedExecutionException e) {
            back.execute(() -> then.accept(null));
        }
        return new Pending(task);
    }

    /** Lookups queued or running: at most one per connection. */
    public int inProgress() {
        return threads.getQueue().size() + threads.getActiveCount();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
