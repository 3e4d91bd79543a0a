package io.castpipe.api.uploads;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One lock per tus upload on this node, so that two requests never append to the same tail at
 * once (a client resuming while the server still reads its dropped request, for instance). A
 * request's body arrives on other threads than the one that took the lock, so it is a permit,
 * not a thread's lock; {@link Held#close} gives it back once, from any thread.
 */
final class UploadLocks {
    private final ConcurrentHashMap<String, Semaphore> locks = new ConcurrentHashMap<>();

    /** The held lock, or empty when another request kept it for {@code wait}. */
    Optional<Held> tryLock(String uploadId, Duration wait) throws InterruptedException {
        Semaphore lock = locks.computeIfAbsent(uploadId, id -> new Semaphore(1));
        if (!lock.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        AtomicBoolean held = new AtomicBoolean(true);
        return Optional.of(() -> {
            if (held.compareAndSet(true, false)) {
                lock.release();
            }
        });
    }

    /** Drops the lock of an upload that is finished or gone. */
    void forget(String uploadId) {
        locks.remove(uploadId);
    }

    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
