package io.castpipe.origin;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.http.Curl;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Blocking playlist reload on {@code /live/…/index.m3u8?_HLS_msn=N} (RFC 8216bis §6.2.5.2), with
 * the playlists announced on the real {@code hls.updates} topic as the packager announces them.
 */
class BlockingReloadTest {
    /** On a small pool of its own: the threads counted while requests wait must be the origin's, not this client's. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "blocking-reload-test-client");
                t.setDaemon(true);
                return t;
            })).build();
    private static OriginFixture origin;
    private static EventPublisher kafka;

    @BeforeAll
    static void start() throws Exception {
        // One test client stands for many players here: the per-address share is BlockedPerAddressTest's.
        origin = OriginFixture.start("blocking-reload", OriginFixture.env("CASTPIPE_ORIGIN_BLOCKED_PER_ADDRESS", "50000"), null);
        kafka = OriginFixture.publisher();
    }

    @AfterAll
    static void stop() {
        kafka.close();
        origin.close();
    }

    @Test
    void aRequestForTheNextSegmentWaitsForItAndTheEdgeCasesAreRefused() throws Exception {
        Live live = Live.start("block-next");
        live.show(0, 5, false);
        String path = live.playlistPath();

        HttpResponse<byte[]> current = origin.get(path + "?_HLS_msn=4");
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(new String(current.body())).contains("seg-4.m4s").doesNotContain("seg-5.m4s");

        CompletableFuture<HttpResponse<String>> next = async(path + "?_HLS_msn=5");
        Thread.sleep(500);
        assertThat(next).as("nothing lists segment 5 yet").isNotDone();
        long announced = System.nanoTime();
        live.announce(1, 5, false);
        HttpResponse<String> woken = next.get(5, TimeUnit.SECONDS);
        long wokenMs = (System.nanoTime() - announced) / 1_000_000;
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(woken.body()).contains("seg-5.m4s").contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES");
        System.out.println("blocked reload answered " + wokenMs + " ms after the playlist was announced");

        // _HLS_part alone, garbage, and more than two segments ahead: 400 at once.
        for (String bad : new String[] {"?_HLS_part=0", "?_HLS_msn=x", "?_HLS_msn=-1", "?_HLS_msn=5&_HLS_part=-2",
                "?_HLS_msn=8"}) {
            HttpResponse<byte[]> r = origin.get(path + bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(new String(r.body())).as(bad).contains("\"error\"");
        }
        // Two ahead is allowed: it waits, and with target duration 1 s gives up after three of them.
        long begun = System.nanoTime();
        HttpResponse<byte[]> late = origin.get(path + "?_HLS_msn=7");
        double waited = (System.nanoTime() - begun) / 1e9;
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(waited).isBetween(2.5, 6.0);
        assertThat(late.headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void partsBlockUntilListedAndAHintedPartIsSentWholeOnceItArrives() throws Exception {
        Live live = Live.start("block-parts");
        live.showParts(4, 2);
        String path = live.playlistPath();

        HttpResponse<byte[]> listed = origin.get(path + "?_HLS_msn=5&_HLS_part=1");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(new String(listed.body())).contains("part-5.1.m4s", "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-5.2.m4s\"");

        CompletableFuture<HttpResponse<String>> nextPlaylist = async(path + "?_HLS_msn=5&_HLS_part=2");
        CompletableFuture<HttpResponse<byte[]>> hinted = CLIENT.sendAsync(HttpRequest.newBuilder(
                origin.uri("/live/block-parts/360p/part-5.2.m4s")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        Thread.sleep(500);
        assertThat(nextPlaylist).as("part 5.2 is not listed yet").isNotDone();
        assertThat(hinted).as("part 5.2 does not exist yet").isNotDone();
        long announced = System.nanoTime();
        live.announceParts(4, 3);
        HttpResponse<String> playlist = nextPlaylist.get(5, TimeUnit.SECONDS);
        HttpResponse<byte[]> part = hinted.get(5, TimeUnit.SECONDS);
        System.out.println("blocked part reload and hinted part answered within "
                + (System.nanoTime() - announced) / 1_000_000 + " ms of the announcement");
        assertThat(playlist.statusCode()).isEqualTo(200);
        assertThat(playlist.body()).contains("part-5.2.m4s");
        assertThat(part.statusCode()).isEqualTo(200);
        assertThat(part.body()).as("the bytes the announcement carried, sent whole").containsExactly(Live.partBytes(5, 2));
        assertThat(part.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, s-maxage=60, immutable");

        // A part more than the Advance Part Limit ahead (3 s of 0.334 s parts) is refused; a part
        // request that far ahead is not waited for.
        assertThat(origin.get(path + "?_HLS_msn=5&_HLS_part=12").statusCode()).isEqualTo(400);
        assertThat(origin.get("/live/block-parts/360p/part-9.0.m4s").statusCode()).isEqualTo(404);
    }

    @Test
    void aSkipRequestGetsTheDeltaUpdateOfTheVersionItWaitedFor() throws Exception {
        Live live = Live.start("block-skip");
        live.showParts(11, 1, 5);
        String path = live.playlistPath();

        HttpResponse<byte[]> whole = origin.get(path + "?_HLS_msn=12&_HLS_part=0");
        assertThat(new String(whole.body())).contains("seg-0.m4s").doesNotContain("EXT-X-SKIP");
        HttpResponse<byte[]> delta = origin.get(path + "?_HLS_msn=12&_HLS_part=0&_HLS_skip=YES");
        assertThat(delta.statusCode()).isEqualTo(200);
        assertThat(new String(delta.body())).contains("#EXT-X-VERSION:9\n", "#EXT-X-SKIP:SKIPPED-SEGMENTS=5\n",
                "seg-5.m4s", "part-12.0.m4s").doesNotContain("seg-4.m4s");
        assertThat(delta.headers().firstValue("ETag")).isNotEqualTo(whole.headers().firstValue("ETag"));
        assertThat(delta.headers().firstValue("Cache-Control")).isEqualTo(whole.headers().firstValue("Cache-Control"));
        assertThat(origin.get(path + "?_HLS_skip=v2").body()).as("no date ranges to skip: v2 is YES").isEqualTo(delta.body());
        HttpResponse<byte[]> bad = origin.get(path + "?_HLS_skip=NO");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body())).contains("_HLS_skip");

        CompletableFuture<HttpResponse<String>> next = async(path + "?_HLS_msn=12&_HLS_part=1&_HLS_skip=YES");
        Thread.sleep(500);
        assertThat(next).as("part 12.1 is not listed yet").isNotDone();
        live.announceParts(11, 2, 5);
        HttpResponse<String> woken = next.get(5, TimeUnit.SECONDS);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(woken.body()).as("the delta of the version that lists the part").contains("#EXT-X-SKIP:SKIPPED-SEGMENTS=5\n",
                "part-12.1.m4s").doesNotContain("seg-4.m4s");

        // A version announced without a delta is served whole, never an older delta.
        live.showParts(11, 3, 0);
        HttpResponse<byte[]> noDelta = origin.get(path + "?_HLS_msn=12&_HLS_part=2&_HLS_skip=YES");
        assertThat(new String(noDelta.body())).contains("seg-0.m4s", "part-12.2.m4s").doesNotContain("EXT-X-SKIP");
    }

    @Test
    void theEndOfTheStreamReleasesEveryWaitingRequest() throws Exception {
        Live live = Live.start("block-end");
        live.show(0, 3, false);
        CompletableFuture<HttpResponse<String>> waiting = async(live.playlistPath() + "?_HLS_msn=4");
        Thread.sleep(300);
        live.announce(0, 3, true);
        HttpResponse<String> r = waiting.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).endsWith("#EXT-X-ENDLIST\n");
    }

    @Test
    void athousandWaitingRequestsHoldNoThreadAndAreAllAnswered() throws Exception {
        Live live = Live.start("block-many");
        live.show(0, 2, false);
        int before = Thread.activeCount();
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            waiting.add(async(live.playlistPath() + "?_HLS_msn=2"));
        }
        Thread.sleep(1500);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        assertThat(Thread.activeCount() - before).as("threads started while 1000 requests wait").isLessThan(100);
        long announced = System.nanoTime();
        live.announce(0, 3, false);
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        System.out.println("1000 blocked reloads answered within " + (System.nanoTime() - announced) / 1_000_000
                + " ms of the announcement");
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(200);
            assertThat(f.get().body()).contains("seg-2.m4s");
        }
    }

    @Test
    void overHttp2ManyBlockedReloadsWaitWhileAnotherRequestIsAnswered() throws Exception {
        Live live = Live.start("block-h2");
        live.show(0, 3, false);
        // A client with its own two threads, stopped at the end, so that none it leaves behind counts in another test.
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).executor(threads).build();
            blockedOverHttp2(live, h2);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void blockedOverHttp2(Live live, HttpClient h2) throws Exception {
        String path = live.playlistPath();
        // The JDK client upgrades its first request to h2c and sends the later ones as streams of that connection.
        assertThat(h2.send(request(path), HttpResponse.BodyHandlers.ofString()).version()).isEqualTo(HttpClient.Version.HTTP_2);

        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            waiting.add(h2.sendAsync(request(path + "?_HLS_msn=3"), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        HttpResponse<String> meanwhile = h2.send(request(path + "?_HLS_msn=2"), HttpResponse.BodyHandlers.ofString());
        assertThat(meanwhile.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(meanwhile.body()).contains("seg-2.m4s");
        assertThat(waiting).as("nothing lists segment 3 yet").noneMatch(CompletableFuture::isDone);

        live.announce(0, 4, false);
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            assertThat(f.get().version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(f.get().statusCode()).isEqualTo(200);
            assertThat(f.get().body()).contains("seg-3.m4s");
        }
    }

    @Test
    void overCleartextHttp2ABlockedReloadWaitsOnTheConnectionOtherRequestsUse() throws Exception {
        assumeTrue(Curl.speaksHttp2(), "install curl with HTTP/2 support to test multiplexed h2c");
        Live live = Live.start("block-h2-curl");
        live.show(0, 3, false);
        String playlist = origin.uri(live.playlistPath()).toString();
        // One curl, three transfers: the first upgrades the connection to h2c, the other two are
        // multiplexed on it. Each line is printed when its transfer ends. (By Upgrade, not prior
        // knowledge: curl before 7.89 cannot reuse a prior-knowledge connection, curl issue 10634.)
        try (Curl curl = Curl.start("--http2", "--parallel", "--parallel-max", "3",
                "-w", "%{stderr}%{url_effective} %{http_version} %{http_code} port %{local_port}\\n",
                "-o", "/dev/null", playlist, "-o", "/dev/null", playlist + "?_HLS_msn=3",
                "-o", "/dev/null", playlist + "?_HLS_msn=2")) {
            List<String> answered = new ArrayList<>(List.of(curl.nextLine(), curl.nextLine()));
            assertThat(answered).as("answered while segment 3 is awaited")
                    .containsExactlyInAnyOrder(playlist + " 2 200 port " + port(answered.get(0)),
                            playlist + "?_HLS_msn=2 2 200 port " + port(answered.get(0)));
            Thread.sleep(300);
            live.announce(0, 4, false);
            assertThat(curl.nextLine()).as("the blocked request, answered once segment 3 is listed, on the same connection")
                    .isEqualTo(playlist + "?_HLS_msn=3 2 200 port " + port(answered.get(0)));
        }
    }

    private static String port(String curlLine) {
        return curlLine.substring(curlLine.lastIndexOf(" port ") + 6);
    }

    private static HttpRequest request(String path) {
        return HttpRequest.newBuilder(origin.uri(path)).timeout(Duration.ofSeconds(20)).build();
    }

    private static CompletableFuture<HttpResponse<String>> async(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(origin.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A live stream of one channel whose 360p playlist is announced on hls.updates as a packager would. */
    private record Live(String stream, String channel) {
        static Live start(String channel) throws Exception {
            String stream = Ids.newId();
            origin.accessRecord(stream, "public");
            kafka.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), channel, "avc1", null, Map.of()));
            return new Live(stream, channel);
        }

        String playlistPath() {
            return "/live/" + channel + "/360p/index.m3u8";
        }

        /**
         * Announces a playlist and waits until the origin serves it, announcing again now and then:
         * an origin that has just started hears announcements only once it has joined the topic.
         */
        void show(long first, int count, boolean ended) throws Exception {
            String last = "seg-" + (first + count - 1) + ".m4s\n";
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            for (int i = 0; !new String(origin.get(playlistPath()).body()).contains(last); i++) {
                assertThat(System.nanoTime()).as("playlist up to " + last + " served").isLessThan(deadline);
                if (i % 10 == 0) {
                    announce(first, count, ended);
                }
                Thread.sleep(50);
            }
        }

        static byte[] partBytes(long msn, int part) {
            return new byte[] {(byte) msn, (byte) part, 7};
        }

        /** {@link #announceParts} and waits until the origin serves that playlist. */
        void showParts(long lastSegment, int openParts) throws Exception {
            showParts(lastSegment, openParts, 0);
        }

        void showParts(long lastSegment, int openParts, int skipped) throws Exception {
            // the part line itself: the version before names it in its preload hint already
            String last = "#EXT-X-PART:DURATION=0.333,URI=\"part-" + (lastSegment + 1) + "." + (openParts - 1) + ".m4s\"" + (openParts == 1 ? ",INDEPENDENT=YES\n" : "\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            for (int i = 0; !new String(origin.get(playlistPath()).body()).contains(last); i++) {
                assertThat(System.nanoTime()).as("playlist up to " + last + " served").isLessThan(deadline);
                if (i % 10 == 0) {
                    announceParts(lastSegment, openParts, skipped);
                }
                Thread.sleep(50);
            }
        }

        /**
         * As the packager does with parts on: each part of the unfinished segment announced with
         * its bytes (not stored), then an LL-HLS playlist of segments 0..{@code lastSegment} and
         * {@code openParts} parts of the next.
         */
        void announceParts(long lastSegment, int openParts) throws Exception {
            announceParts(lastSegment, openParts, 0);
        }

        /** With {@code skipped > 0}, the playlist goes with its delta update leaving out its first {@code skipped} segments. */
        void announceParts(long lastSegment, int openParts, int skipped) throws Exception {
            long open = lastSegment + 1;
            for (int p = 0; p < openParts; p++) {
                String key = ObjectKeys.liveFile(stream, "360p", "part-" + open + "." + p + ".m4s");
                kafka.publishDurably(Topic.HLS_UPDATES, stream, new HlsUpdate(stream, "360p", HlsUpdate.Kind.PART, open, p, key,
                        partBytes(open, p), Instant.now()));
            }
            byte[] delta = skipped > 0 ? lowLatencyPlaylist(lastSegment, openParts, skipped).getBytes() : null;
            kafka.publishDurably(Topic.HLS_UPDATES, stream, new HlsUpdate(stream, "360p", HlsUpdate.Kind.PLAYLIST, lastSegment,
                    null, ObjectKeys.liveFile(stream, "360p", "index.m3u8"), lowLatencyPlaylist(lastSegment, openParts, 0).getBytes(),
                    Instant.now(), delta));
        }

        private static String lowLatencyPlaylist(long lastSegment, int openParts, int skipped) {
            long open = lastSegment + 1;
            StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:").append(skipped > 0 ? 9 : 6)
                    .append("\n#EXT-X-TARGETDURATION:1\n")
                    .append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=6.000\n")
                    .append("#EXT-X-PART-INF:PART-TARGET=0.334\n#EXT-X-MEDIA-SEQUENCE:0\n");
            if (skipped > 0) {
                b.append("#EXT-X-SKIP:SKIPPED-SEGMENTS=").append(skipped).append('\n');
            }
            b.append("#EXT-X-MAP:URI=\"init.mp4\"\n");
            for (long n = skipped; n <= lastSegment; n++) {
                b.append("#EXTINF:1.000,\nseg-").append(n).append(".m4s\n");
            }
            for (int p = 0; p < openParts; p++) {
                b.append("#EXT-X-PART:DURATION=0.333,URI=\"part-").append(open).append('.').append(p).append(".m4s\"")
                        .append(p == 0 ? ",INDEPENDENT=YES\n" : "\n");
            }
            b.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-").append(open).append('.').append(openParts).append(".m4s\"\n");
            return b.toString();
        }

        /** Announces a playlist listing {@code count} one-second segments from {@code first} on. */
        void announce(long first, int count, boolean ended) throws Exception {
            StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n")
                    .append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n#EXT-X-MEDIA-SEQUENCE:").append(first)
                    .append("\n#EXT-X-MAP:URI=\"init.mp4\"\n");
            for (long n = first; n < first + count; n++) {
                b.append("#EXTINF:1.000,\nseg-").append(n).append(".m4s\n");
            }
            if (ended) {
                b.append("#EXT-X-ENDLIST\n");
            }
            byte[] text = b.toString().getBytes();
            String key = ObjectKeys.liveFile(stream, "360p", "index.m3u8");
            origin.store.put(key, text, "application/vnd.apple.mpegurl");
            kafka.publishDurably(Topic.HLS_UPDATES, stream, new HlsUpdate(stream, "360p", HlsUpdate.Kind.PLAYLIST,
                    first + count - 1, null, key, text, Instant.now()));
        }
    }
}
