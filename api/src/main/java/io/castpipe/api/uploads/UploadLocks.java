package io.castpipe.api.uploads;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per tus upload on this node, so that two requests never append to the same tail at
 * once (a client resuming while the server still reads its dropped request, for instance).
 */
final class UploadLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** The held lock, or empty when another request kept it for {@code wait}. */
    Optional<Held> tryLock(String uploadId, Duration wait) throws InterruptedException {
        ReentrantLock lock = locks.computeIfAbsent(uploadId, id -> new ReentrantLock());
        return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(lock::unlock) : Optional.empty();
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
