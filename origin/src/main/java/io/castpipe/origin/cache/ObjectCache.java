package io.castpipe.origin.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectStoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot objects in memory, keyed by storage key, bounded in bytes and evicted least recently
 * used first.
 *
 * <p>{@link #get} answers at once from memory; on a miss it reads the object on the storage
 * executor, and every concurrent request for the same key waits on that one read (a map of
 * in-flight loads), so a cold key costs exactly one storage request however many clients ask.
 * A miss is one ranged GET of at most {@code maxObjectBytes + 1} bytes: an object that fits is
 * kept, a bigger one is remembered as {@link Lookup.TooLarge} (size and etag from a HEAD) for
 * the caller to stream. A missing object is remembered for at most {@code negativeTtl}; a
 * failed read is not remembered at all.
 *
 * <p>{@link #put} stores an object pushed by someone who just wrote it (live segments announced
 * on Kafka), replacing what was there and answering requests already waiting for that key.
 */
public final class ObjectCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ObjectCache.class);

    /** Estimated bookkeeping per entry (map node, entry, key), charged against the bound. */
    static final long ENTRY_OVERHEAD = 128;
    /** Objects above this are streamed however big the cache is: finding out costs a read this long. */
    static final long MAX_OBJECT_CEILING = 64L * 1024 * 1024;
    static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(1);
    static final Duration TOO_LARGE_TTL = Duration.ofSeconds(60);

    private final ObjectStore store;
    private final long maxBytes;
    private final long maxObjectBytes;
    private final CachePolicy policy;
    private final long negativeTtlNanos;
    private final Executor executor;
    private final LongSupplier nanoClock;

    private final Object lock = new Object();
    /** Access order: the eldest entry is the least recently used. Guarded by {@link #lock}. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    /** Reads in flight, one per key. Guarded by {@link #lock}. */
    private final Map<String, Load> loads = new HashMap<>();
    /** Sum of the weights in {@link #entries}. Guarded by {@link #lock}. */
    private long bytes;
    private volatile long bytesSeen;
    private volatile int entriesSeen;

    private final Counter hits;
    private final Counter misses;
    private final Counter coalesced;
    private final Counter storageReads;
    private final Counter loadErrors;
    private final Counter evictions;

    public ObjectCache(ObjectStore store, long maxBytes, CachePolicy policy, Executor executor, MeterRegistry registry) {
        this(store, maxBytes, policy, DEFAULT_NEGATIVE_TTL, executor, registry, System::nanoTime);
    }

    ObjectCache(ObjectStore store, long maxBytes, CachePolicy policy, Duration negativeTtl, Executor executor,
                MeterRegistry registry, LongSupplier nanoClock) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("negative cache size " + maxBytes);
        }
        this.store = store;
        this.maxBytes = maxBytes;
        this.maxObjectBytes = Math.min(maxBytes / 8, MAX_OBJECT_CEILING);
        this.policy = policy;
        this.negativeTtlNanos = negativeTtl.toNanos();
        this.executor = executor;
        this.nanoClock = nanoClock;
        this.hits = Counter.builder("castpipe.origin.cache.hits").description("Requests answered from memory")
                .register(registry);
        this.misses = Counter.builder("castpipe.origin.cache.misses").description("Requests that started a storage read")
                .register(registry);
        this.coalesced = Counter.builder("castpipe.origin.cache.coalesced")
                .description("Requests that waited for a storage read another request had started").register(registry);
        this.storageReads = Counter.builder("castpipe.origin.storage.reads")
                .description("Requests to object storage made by the cache").register(registry);
        this.loadErrors = Counter.builder("castpipe.origin.storage.errors")
                .description("Storage reads that failed (not cached)").register(registry);
        this.evictions = Counter.builder("castpipe.origin.cache.evictions")
                .description("Entries dropped to stay within the memory bound").register(registry);
        Gauge.builder("castpipe.origin.cache.bytes", this, c -> c.bytesSeen).baseUnit("bytes")
                .description("Memory held by cached objects (including per-entry overhead)").register(registry);
        Gauge.builder("castpipe.origin.cache.max.bytes", this, c -> c.maxBytes).baseUnit("bytes")
                .description("Bound on the cached bytes (CASTPIPE_ORIGIN_CACHE_MB)").register(registry);
        Gauge.builder("castpipe.origin.cache.entries", this, c -> c.entriesSeen)
                .description("Entries in the cache, including remembered misses").register(registry);
    }

    /**
     * The object under {@code key}. The future is complete at once on a hit; otherwise it
     * completes on the storage executor, exceptionally when the read failed. Callers must not
     * complete it themselves.
     */
    public CompletableFuture<Lookup> get(String key) {
        Load load;
        synchronized (lock) {
            Entry e = entries.get(key);
            if (e != null) {
                if (e.expiresAt - nanoClock.getAsLong() > 0) {
                    hits.increment();
                    return e.done;
                }
                remove(key, e);
            }
            Load running = loads.get(key);
            if (running != null) {
                coalesced.increment();
                return running.future.copy();
            }
            load = new Load();
            loads.put(key, load);
        }
        misses.increment();
        try {
            executor.execute(() -> load(key, load));
        } catch (RejectedExecutionException e) {
            finish(key, load, null, new ObjectStoreException("origin is shutting down", e));
        }
        return load.future.copy();
    }

    /**
     * Stores an object that was just written to storage, so that no request has to read it back.
     * Requests already waiting for {@code key} get it too. An object bigger than
     * {@link #maxObjectBytes()} is not kept (and any older copy is dropped); returns whether it was.
     */
    public boolean put(String key, byte[] content) {
        boolean fits = content.length <= maxObjectBytes;
        Lookup found = fits ? new Lookup.Found(CachedObject.of(key, content)) : null;
        Load pending;
        synchronized (lock) {
            Entry old = entries.get(key);
            if (old != null) {
                remove(key, old);
            }
            if (fits) {
                insert(key, found);
            }
            pending = loads.remove(key);
            if (pending != null) {
                pending.discard = true;
            }
        }
        if (pending != null && found != null) {
            pending.future.complete(found);
        }
        return fits;
    }

    /** Forgets {@code key}: the next request reads it again. A read in flight is answered but not kept. */
    public void invalidate(String key) {
        synchronized (lock) {
            Entry old = entries.get(key);
            if (old != null) {
                remove(key, old);
            }
            Load pending = loads.remove(key);
            if (pending != null) {
                pending.discard = true;
            }
        }
    }

    /** Bytes held now, including per-entry overhead; never more than {@link #maxBytes()}. */
    public long bytesCached() {
        synchronized (lock) {
            return bytes;
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Objects larger than this are not cached but streamed. */
    public long maxObjectBytes() {
        return maxObjectBytes;
    }

    /** Whether {@code key} is held now (fresh or not); for tests and diagnostics. */
    public boolean contains(String key) {
        synchronized (lock) {
            return entries.containsKey(key);
        }
    }

    public long hitCount() {
        return (long) hits.count();
    }

    public long missCount() {
        return (long) misses.count();
    }

    public long coalescedCount() {
        return (long) coalesced.count();
    }

    @Override
    public void close() {
        synchronized (lock) {
            entries.clear();
            bytes = 0;
            publish();
        }
    }

    private void load(String key, Load load) {
        Lookup result = null;
        Throwable error = null;
        try {
            result = read(key);
        } catch (Throwable t) {
            error = t;
        }
        finish(key, load, result, error);
    }

    private void finish(String key, Load load, Lookup result, Throwable error) {
        synchronized (lock) {
            if (loads.get(key) == load) {
                loads.remove(key);
            }
            if (error == null && !load.discard) {
                Entry old = entries.get(key);
                if (old != null) {
                    remove(key, old);
                }
                insert(key, result);
            }
        }
        if (error != null) {
            loadErrors.increment();
            log.warn("reading {} from storage failed: {}", key, message(error));
            load.future.completeExceptionally(error);
        } else {
            load.future.complete(result);
        }
    }

    /** One ranged GET; a HEAD only when the object turns out too big to keep, or empty. */
    private Lookup read(String key) {
        byte[] content;
        storageReads.increment();
        try (InputStream in = store.getRange(key, 0, maxObjectBytes)) {
            content = in.readNBytes((int) maxObjectBytes + 1);
        } catch (ObjectNotFoundException e) {
            return new Lookup.Missing(key);
        } catch (ObjectStoreException e) {
            // An empty object has no byte 0, so S3 refuses any range of it (416).
            storageReads.increment();
            Optional<ObjectInfo> info = store.head(key);
            if (info.isEmpty()) {
                return new Lookup.Missing(key);
            }
            if (info.get().size() == 0) {
                return new Lookup.Found(CachedObject.of(key, new byte[0]));
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key, e);
        }
        if (content.length <= maxObjectBytes) {
            return new Lookup.Found(CachedObject.of(key, content));
        }
        storageReads.increment();
        Optional<ObjectInfo> info = store.head(key);
        if (info.isEmpty()) {
            return new Lookup.Missing(key);
        }
        log.info("{} is {} bytes, more than the {} a cached object may have; streaming it from storage",
                key, info.get().size(), maxObjectBytes);
        return new Lookup.TooLarge(key, info.get().size(), quoted(info.get().etag()));
    }

    /** Adds an entry (the key must be absent) and evicts from the old end until the bound holds. */
    private void insert(String key, Lookup value) {
        long now = nanoClock.getAsLong();
        long weight = ENTRY_OVERHEAD + key.length() * 2L;
        long ttl;
        Duration fresh = policy.ttl(key);
        long policyTtl = fresh == null ? Long.MAX_VALUE : fresh.toNanos();
        if (value instanceof Lookup.Found f) {
            weight += f.object().size();
            ttl = policyTtl;
        } else if (value instanceof Lookup.Missing) {
            ttl = Math.min(policyTtl, negativeTtlNanos);
        } else {
            ttl = Math.min(policyTtl, TOO_LARGE_TTL.toNanos());
        }
        if (weight > maxBytes) {
            return;
        }
        long expiresAt = ttl == Long.MAX_VALUE || now + ttl < now ? now + Long.MAX_VALUE / 2 : now + ttl;
        entries.put(key, new Entry(value, weight, expiresAt));
        bytes += weight;
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Entry> e = eldest.next();
            eldest.remove();
            bytes -= e.getValue().weight;
            evictions.increment();
        }
        publish();
    }

    private void remove(String key, Entry e) {
        entries.remove(key);
        bytes -= e.weight;
        publish();
    }

    private void publish() {
        bytesSeen = bytes;
        entriesSeen = entries.size();
    }

    private static String quoted(String etag) {
        if (etag == null || etag.isEmpty()) {
            return "\"unknown\"";
        }
        return etag.startsWith("\"") ? etag : '"' + etag + '"';
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static final class Entry {
        final Lookup value;
        final CompletableFuture<Lookup> done;
        final long weight;
        final long expiresAt;

        Entry(Lookup value, long weight, long expiresAt) {
            this.value = value;
            this.done = CompletableFuture.completedFuture(value);
            this.weight = weight;
            this.expiresAt = expiresAt;
        }
    }

    private static final class Load {
        final CompletableFuture<Lookup> future = new CompletableFuture<>();
        /** Set when the key was replaced or invalidated while reading: answer, but do not keep. */
        boolean discard;
    }
}
