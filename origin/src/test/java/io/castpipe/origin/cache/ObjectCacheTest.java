package io.castpipe.origin.cache;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.castpipe.common.storage.MultipartUpload;
import io.castpipe.common.storage.ObjectOutputStream;
import io.castpipe.common.storage.UploadedPart;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectStoreException;
import io.castpipe.common.storage.PresignedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache's rules on their own, with a store in memory, a hand-cranked executor (so a read is
 * "in flight" until the test runs it) and a hand-set clock.
 */
class ObjectCacheTest {
    private final MemoryStore store = new MemoryStore();
    private final Queue<Runnable> pending = new ArrayDeque<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private ObjectCache cache(long maxBytes, CachePolicy policy) {
        return new ObjectCache(store, maxBytes, policy, Duration.ofSeconds(1), pending::add, new SimpleMeterRegistry(), now::get);
    }

    private void runReads() {
        Runnable r;
        while ((r = pending.poll()) != null) {
            r.run();
        }
    }

    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void concurrentMissesShareOneReadAndHitsShareNone() {
        ObjectCache cache = cache(1 << 20, CachePolicy.immutable());
        store.objects.put("k", bytes(10, 1));
        CompletableFuture<Lookup> a = cache.get("k");
        CompletableFuture<Lookup> b = cache.get("k");
        assertThat(a).isNotDone();
        runReads();
        assertThat(store.reads("k")).isEqualTo(1);
        assertThat(a.join()).isInstanceOf(Lookup.Found.class);
        assertThat(((Lookup.Found) b.join()).object()).isSameAs(((Lookup.Found) a.join()).object());
        assertThat(cache.get("k")).isDone();
        assertThat(cache.missCount()).isEqualTo(1);
        assertThat(cache.coalescedCount()).isEqualTo(1);
        assertThat(cache.hitCount()).isEqualTo(1);
    }

    @Test
    void aPushDuringAReadAnswersTheWaitersAndWins() {
        ObjectCache cache = cache(1 << 20, CachePolicy.immutable());
        store.objects.put("k", bytes(10, 1));
        CompletableFuture<Lookup> waiting = cache.get("k");
        cache.put("k", bytes(10, 2));
        assertThat(((Lookup.Found) waiting.join()).object().bytes()).isEqualTo(bytes(10, 2));
        runReads();
        assertThat(((Lookup.Found) cache.get("k").join()).object().bytes()).isEqualTo(bytes(10, 2));
    }

    @Test
    void anInvalidationDuringAReadKeepsItsResultOutOfTheCache() {
        ObjectCache cache = cache(1 << 20, CachePolicy.immutable());
        store.objects.put("k", bytes(10, 1));
        CompletableFuture<Lookup> waiting = cache.get("k");
        cache.invalidate("k");
        runReads();
        assertThat(waiting.join()).isInstanceOf(Lookup.Found.class);
        assertThat(cache.contains("k")).isFalse();
    }

    @Test
    void aMissIsRememberedForASecondAtMost() {
        ObjectCache cache = cache(1 << 20, CachePolicy.immutable());
        cache.get("k");
        runReads();
        assertThat(cache.get("k").join()).isInstanceOf(Lookup.Missing.class);
        now.addAndGet(Duration.ofMillis(900).toNanos());
        assertThat(cache.get("k")).isDone();
        assertThat(store.reads("k")).isEqualTo(1);
        store.objects.put("k", bytes(3, 1));
        now.addAndGet(Duration.ofMillis(200).toNanos());
        CompletableFuture<Lookup> again = cache.get("k");
        runReads();
        assertThat(again.join()).isInstanceOf(Lookup.Found.class);
        assertThat(store.reads("k")).isEqualTo(2);
    }

    @Test
    void thePolicyTtlExpiresEntries() {
        ObjectCache cache = cache(1 << 20, key -> key.endsWith(".m3u8") ? Duration.ofSeconds(10) : null);
        store.objects.put("a.m3u8", bytes(3, 1));
        store.objects.put("a.m4s", bytes(3, 1));
        cache.get("a.m3u8");
        cache.get("a.m4s");
        runReads();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(cache.get("a.m4s")).isDone();
        assertThat(cache.get("a.m3u8")).isNotDone();
        runReads();
        assertThat(store.reads("a.m3u8")).isEqualTo(2);
        assertThat(store.reads("a.m4s")).isEqualTo(1);
    }

    @Test
    void anObjectAboveAnEighthIsReportedTooLargeWithItsSize() {
        ObjectCache cache = cache(8000, CachePolicy.immutable());
        assertThat(cache.maxObjectBytes()).isEqualTo(1000);
        store.objects.put("big", bytes(1001, 1));
        store.objects.put("fits", bytes(1000, 1));
        CompletableFuture<Lookup> big = cache.get("big");
        CompletableFuture<Lookup> fits = cache.get("fits");
        runReads();
        assertThat(big.join()).isInstanceOfSatisfying(Lookup.TooLarge.class, t -> {
            assertThat(t.size()).isEqualTo(1001);
            assertThat(t.etag()).startsWith("\"").endsWith("\"");
        });
        assertThat(fits.join()).isInstanceOf(Lookup.Found.class);
        assertThat(store.ranges).contains("big 0-1000", "fits 0-1000");
        assertThat(cache.put("big", bytes(1001, 2))).isFalse();
    }

    @Test
    void theBoundHoldsAndTheLeastRecentlyUsedGoesFirst() {
        long entry = 1000 + ObjectCache.ENTRY_OVERHEAD + 2L * "k0".length();
        ObjectCache cache = cache(entry * 8, CachePolicy.immutable());
        for (int i = 0; i < 8; i++) {
            cache.put("k" + i, bytes(1000, i));
        }
        assertThat(cache.bytesCached()).isEqualTo(entry * 8);
        cache.get("k0");
        cache.put("k8", bytes(1000, 8));
        assertThat(cache.bytesCached()).isLessThanOrEqualTo(cache.maxBytes());
        assertThat(cache.contains("k0")).as("recently used").isTrue();
        assertThat(cache.contains("k1")).as("least recently used").isFalse();
        assertThat(cache.contains("k8")).isTrue();
    }

    @Test
    void aFailedReadIsNotRemembered() {
        ObjectCache cache = cache(1 << 20, CachePolicy.immutable());
        store.objects.put("k", bytes(3, 1));
        store.failures.add("k");
        CompletableFuture<Lookup> failed = cache.get("k");
        runReads();
        assertThat(failed).isCompletedExceptionally();
        assertThat(cache.contains("k")).isFalse();
        CompletableFuture<Lookup> retry = cache.get("k");
        runReads();
        assertThat(retry.join()).isInstanceOf(Lookup.Found.class);
    }

    @Test
    void contentTagsAreStableAndDistinct() {
        assertThat(CachedObject.of("a", bytes(5, 1)).etag()).isEqualTo(CachedObject.of("b", bytes(5, 1)).etag());
        assertThat(CachedObject.of("a", bytes(5, 1)).etag()).isNotEqualTo(CachedObject.of("a", bytes(5, 2)).etag());
    }

    /** Objects in a map; getRange and head counted like the S3 store's requests. */
    private static final class MemoryStore implements ObjectStore {
        final Map<String, byte[]> objects = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final List<String> ranges = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.Set<String> failures = ConcurrentHashMap.newKeySet();

        int reads(String key) {
            AtomicInteger n = counts.get(key);
            return n == null ? 0 : n.get();
        }

        private byte[] find(String key) {
            counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (failures.remove(key)) {
                throw new ObjectStoreException(key + ": simulated", null);
            }
            byte[] b = objects.get(key);
            if (b == null) {
                throw new ObjectNotFoundException(key, null);
            }
            return b;
        }

        @Override
        public InputStream getRange(String key, long first, long last) {
            ranges.add(key + " " + first + "-" + last);
            byte[] b = find(key);
            int end = (int) Math.min(last + 1, b.length);
            return new ByteArrayInputStream(Arrays.copyOfRange(b, (int) first, end));
        }

        @Override
        public InputStream get(String key) {
            return new ByteArrayInputStream(find(key));
        }

        @Override
        public Optional<ObjectInfo> head(String key) {
            counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            byte[] b = objects.get(key);
            return b == null ? Optional.empty() : Optional.of(new ObjectInfo(key, b.length, "\"e" + b.length + "\"", Instant.EPOCH));
        }

        @Override
        public void ensureBucket() {
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) {
            objects.put(key, bytes);
        }

        @Override
        public void put(String key, InputStream in, long length, String contentType) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OutputStream openForWrite(String key, String contentType) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ObjectOutputStream openForWrite(String key, String contentType, long maxBytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MultipartUpload startMultipart(String key, String contentType) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void copy(String fromKey, String toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MultipartUpload resumeMultipart(String key, String uploadId, List<UploadedPart> parts) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String key) {
            objects.remove(key);
        }

        @Override
        public int deleteByPrefix(String prefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PresignedRequest presignPut(String key, String contentType, long contentLength, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PresignedRequest presignGet(String key, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PresignedRequest presignUploadPart(String key, String uploadId, int partNumber, long contentLength, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
