package io.castpipe.origin;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.castpipe.common.storage.MultipartUpload;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ForwardingObjectStore;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectStoreException;
import io.castpipe.common.storage.PresignedRequest;

/**
 * The real store, with every read (get, getRange, head) counted per key, and two test levers:
 * reads of a key can be held until released, and the next read of a key can be made to fail.
 */
final class CountingObjectStore extends ForwardingObjectStore {
    private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final Map<String, Boolean> failures = new ConcurrentHashMap<>();

    CountingObjectStore(ObjectStore delegate) {
        super(delegate);
    }

    int reads(String key) {
        AtomicInteger n = reads.get(key);
        return n == null ? 0 : n.get();
    }

    /** Reads of {@code key} block until the returned latch is counted down. */
    CountDownLatch hold(String key) {
        CountDownLatch latch = new CountDownLatch(1);
        holds.put(key, latch);
        return latch;
    }

    void failNextRead(String key) {
        failures.put(key, true);
    }

    private void read(String key) {
        reads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        CountDownLatch hold = holds.get(key);
        if (hold != null) {
            try {
                if (!hold.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test hold on " + key + " never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (failures.remove(key) != null) {
            throw new ObjectStoreException(key + ": simulated storage failure", null);
        }
    }

    @Override
    public InputStream get(String key) {
        read(key);
        return delegate.get(key);
    }

    @Override
    public InputStream getRange(String key, long first, long last) {
        read(key);
        return delegate.getRange(key, first, last);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        read(key);
        return delegate.head(key);
    }
}
