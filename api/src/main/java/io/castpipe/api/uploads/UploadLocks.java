package io.castpipe.api.uploads;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One lock per tus upload on this node, so that two requests never append to the same tail at
 * once (a client resuming while the server still reads its dropped request, for instance). A
 * request's body arrives on other threads than the one that took the lock, so it is a permit,
 * not a thread's lock; {@link Held#close} gives it back once, from any thread. Nobody waits for
 * it: a body may hold it for as long as the body timeout allows, and a worker thread waiting
 * that long would be taken from every other request.
 */
final class UploadLocks {
    private final ConcurrentHashMap<String, Semaphore> locks = new ConcurrentHashMap<>();

    /** The held lock, or empty when another request holds it. */
    Optional<Held> tryLock(String uploadId) {
        Semaphore lock = locks.computeIfAbsent(uploadId, id -> new Semaphore(1));
        if (!lock.tryAcquire()) {
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
