package io.castpipe.origin;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.origin.cache.ObjectCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot-object cache behind a real listener, with a 1 MiB bound (so objects above 128 KiB are
 * streamed): coalescing, hits, the bound and LRU eviction, uncached errors, slow reads.
 */
class OriginCacheTest {
    private static final long BOUND = 1024 * 1024;
    private static OriginFixture f;
    private static ObjectCache cache;

    @BeforeAll
    static void start() throws Exception {
        f = OriginFixture.start("origin-cache", OriginFixture.env("CASTPIPE_ORIGIN_CACHE_MB", "1"), null);
        cache = f.origin.cache();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static CompletableFuture<HttpResponse<byte[]>> getAsync(String path) {
        return f.client.sendAsync(HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void concurrentMissesOfOneKeyCostOneStorageReadAndTheNextRoundNone() throws Exception {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        String key = ObjectKeys.vodFile(id, "720p", "seg-0.m4s");
        byte[] content = random(60_000, 1);
        f.store.put(key, content, "video/iso.segment");
        String path = "/vod/" + id + "/720p/seg-0.m4s";
        // Settle the video's visibility first, so the only key the 50 requests share is the segment.
        assertThat(f.get("/vod/" + id + "/720p/absent.m4s").statusCode()).isEqualTo(404);
        long coalescedBefore = cache.coalescedCount();
        CountDownLatch hold = f.store.hold(key);

        List<CompletableFuture<HttpResponse<byte[]>>> first = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                first.add(getAsync(path));
            }
            // All 50 are in: one reading (held), 49 waiting on it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cache.coalescedCount() - coalescedBefore < 49 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(50);
            assertThat(cache.coalescedCount() - coalescedBefore).isEqualTo(49);
            assertThat(f.store.reads(key)).isEqualTo(1);
        } finally {
            hold.countDown();
        }
        for (var r : first) {
            HttpResponse<byte[]> response = r.get(20, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(content);
        }
        assertThat(f.store.reads(key)).isEqualTo(1);

        long hitsBefore = cache.hitCount();
        List<CompletableFuture<HttpResponse<byte[]>>> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            second.add(getAsync(path));
        }
        for (var r : second) {
            assertThat(r.get(20, TimeUnit.SECONDS).body()).isEqualTo(content);
        }
        assertThat(f.store.reads(key)).isEqualTo(1);
        assertThat(cache.hitCount() - hitsBefore).isGreaterThanOrEqualTo(50);

        String scrape = f.metrics.scrape();
        assertThat(scrape).contains("castpipe_origin_cache_hits_total", "castpipe_origin_cache_misses_total",
                "castpipe_origin_cache_coalesced_total", "castpipe_origin_cache_bytes");
    }

    @Test
    void theCacheStaysWithinItsBoundAndEvictsTheLeastRecentlyUsed() {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        int objects = 14;
        int size = 100_000;
        for (int i = 0; i < objects; i++) {
            f.store.put(ObjectKeys.vodFile(id, "480p", "seg-" + i + ".m4s"), random(size, 100 + i), "video/iso.segment");
        }
        for (int i = 0; i < objects; i++) {
            HttpResponse<byte[]> r = f.get("/vod/" + id + "/480p/seg-" + i + ".m4s");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(random(size, 100 + i));
            assertThat(cache.bytesCached()).isLessThanOrEqualTo(BOUND);
        }
        assertThat((long) objects * size).isGreaterThan(BOUND);
        assertThat(cache.maxBytes()).isEqualTo(BOUND);
        String oldest = ObjectKeys.vodFile(id, "480p", "seg-0.m4s");
        String newest = ObjectKeys.vodFile(id, "480p", "seg-" + (objects - 1) + ".m4s");
        assertThat(cache.contains(oldest)).isFalse();
        assertThat(cache.contains(newest)).isTrue();
        double gauge = f.metrics.registry().get("castpipe.origin.cache.bytes").gauge().value();
        assertThat(gauge).isPositive().isLessThanOrEqualTo(BOUND);

        f.get("/vod/" + id + "/480p/seg-0.m4s");
        assertThat(f.store.reads(oldest)).isEqualTo(2);
        f.get("/vod/" + id + "/480p/seg-" + (objects - 1) + ".m4s");
        assertThat(f.store.reads(newest)).isEqualTo(1);
    }

    @Test
    void objectsAboveAnEighthOfTheCacheAreStreamedWithRangesHonoured() {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        String key = ObjectKeys.vodFile(id, "1080p", "seg-0.m4s");
        byte[] content = random(300_000, 9);
        assertThat((long) content.length).isGreaterThan(cache.maxObjectBytes());
        f.store.put(key, content, "video/iso.segment");
        String path = "/vod/" + id + "/1080p/seg-0.m4s";

        HttpResponse<byte[]> whole = f.get(path);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(content);
        assertThat(whole.headers().firstValue("Content-Length")).hasValue("300000");
        assertThat(whole.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, s-maxage=60, immutable");
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        assertThat(cache.bytesCached()).isLessThanOrEqualTo(BOUND);

        HttpResponse<byte[]> range = f.get(path, "Range", "bytes=200000-200099");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 200_000, 200_100));
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 200000-200099/300000");

        assertThat(f.get(path, "Range", "bytes=-10").body()).isEqualTo(Arrays.copyOfRange(content, 299_990, 300_000));
        HttpResponse<byte[]> unsatisfiable = f.get(path, "Range", "bytes=300000-");
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(unsatisfiable.headers().firstValue("Content-Range")).hasValue("bytes */300000");
        assertThat(f.get(path, "If-None-Match", etag).statusCode()).isEqualTo(304);

        int readsBeforeHead = f.store.reads(key);
        HttpResponse<byte[]> head = f.send("HEAD", path);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("300000");
        assertThat(head.body()).isEmpty();
        assertThat(f.store.reads(key)).as("HEAD of a streamed object reads nothing").isEqualTo(readsBeforeHead);
    }

    @Test
    void aPlaylistTooLongToCacheIsStillRewrittenForATokenHolder() {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        StringBuilder playlist = new StringBuilder("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n");
        for (int i = 0; i < 8000; i++) {
            playlist.append("#EXTINF:4.000,\nseg-").append(i).append(".m4s\n");
        }
        byte[] bytes = playlist.toString().getBytes(StandardCharsets.UTF_8);
        assertThat((long) bytes.length).isGreaterThan(cache.maxObjectBytes());
        f.store.put(ObjectKeys.vodFile(id, "720p", "index.m3u8"), bytes, "application/vnd.apple.mpegurl");
        f.accessRecord(id, "private");
        String token = new PlaybackTokens(OriginFixture.SIGNING_SECRET).issue(id, Instant.now().plusSeconds(60));

        assertThat(f.get("/vod/" + id + "/720p/index.m3u8").statusCode()).isEqualTo(403);
        HttpResponse<byte[]> r = f.get("/vod/" + id + "/720p/index.m3u8?token=" + token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("private, max-age=300");
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(text).contains("URI=\"init.mp4?token=" + token + "\"")
                .contains("\nseg-0.m4s?token=" + token + "\n").endsWith("\nseg-7999.m4s?token=" + token + "\n");
        assertThat(text.lines().filter(l -> l.startsWith("seg-")).allMatch(l -> l.endsWith("?token=" + token))).isTrue();
    }

    @Test
    void aFailedReadIsNotCached() {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        String key = ObjectKeys.vodFile(id, "720p", "init.mp4");
        f.store.put(key, new byte[]{1, 2, 3, 4}, "video/mp4");
        f.store.failNextRead(key);
        HttpResponse<byte[]> failed = f.get("/vod/" + id + "/720p/init.mp4");
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(new String(failed.body(), StandardCharsets.UTF_8)).contains("storage_error");
        assertThat(cache.contains(key)).isFalse();
        int readsAfterFailure = f.store.reads(key);
        HttpResponse<byte[]> ok = f.get("/vod/" + id + "/720p/init.mp4");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).containsExactly(1, 2, 3, 4);
        assertThat(f.store.reads(key)).isEqualTo(readsAfterFailure + 1);
    }

    @Test
    void aSlowStorageReadDoesNotHoldUpOtherRequests() throws Exception {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        String slowKey = ObjectKeys.vodFile(id, "720p", "seg-1.m4s");
        f.store.put(slowKey, random(1000, 3), "video/iso.segment");
        for (int i = 0; i < 20; i++) {
            f.store.put(ObjectKeys.vodFile(id, "360p", "seg-" + i + ".m4s"), random(1000, 200 + i), "video/iso.segment");
        }
        CountDownLatch hold = f.store.hold(slowKey);
        CompletableFuture<HttpResponse<byte[]>> slow = getAsync("/vod/" + id + "/720p/seg-1.m4s");
        try {
            List<CompletableFuture<HttpResponse<byte[]>>> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                others.add(getAsync("/vod/" + id + "/360p/seg-" + i + ".m4s"));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(others.get(i).get(10, TimeUnit.SECONDS).body()).isEqualTo(random(1000, 200 + i));
            }
            assertThat(slow).isNotDone();
        } finally {
            hold.countDown();
        }
        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void pushedObjectsAreServedWithoutAStorageRead() {
        String id = Ids.newId();
        f.accessRecord(id, "public");
        String key = ObjectKeys.vodFile(id, "720p", "seg-7.m4s");
        byte[] content = random(5000, 77);
        assertThat(cache.put(key, content)).isTrue();
        HttpResponse<byte[]> r = f.get("/vod/" + id + "/720p/seg-7.m4s");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(content);
        assertThat(f.store.reads(key)).isZero();
        assertThat(cache.put(key, random((int) cache.maxObjectBytes() + 1, 1))).isFalse();
        assertThat(cache.contains(key)).isFalse();
    }
}
