package io.castpipe.origin;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Private stays private behind a CDN: Debian's nginx with the shipped {@code deploy/nginx/nginx.conf}
 * in front of a real origin. Public video objects are cached, but only for
 * {@code CASTPIPE_CDN_MAX_AGE_SECONDS} (2 s here) before nginx asks the origin again (with the
 * ETag: a 304 while nothing changed); so a video made private or deleted stops being served from
 * the CDN within that bound plus the origin's own 5 s, while token responses are never cached.
 */
class CdnCacheTest {
    private static final long CDN_MAX_AGE = 2;
    /** The CDN's bound plus the origin's, with room for a busy machine; without s-maxage nginx would serve for a year. */
    private static final Duration BOUND_WITH_SLACK = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static OriginFixture origin;
    private static BundledNginx cdn;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(BundledNginx.installed(), "install Debian's nginx to test the shipped CDN configuration");
        origin = OriginFixture.start("cdn-cache", OriginFixture.env("CASTPIPE_CDN_MAX_AGE_SECONDS", String.valueOf(CDN_MAX_AGE)),
                null);
        cdn = BundledNginx.start(origin.port);
    }

    @AfterAll
    static void stop() {
        if (cdn != null) {
            cdn.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void aVideoMadePrivateLeavesTheCdnWithinTheBoundAndTokenResponsesAreNeverShared() throws Exception {
        String id = video("public");
        String segment = "/vod/" + id + "/720p/seg-0.m4s";
        HttpResponse<byte[]> first = get(segment);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, s-maxage=2, immutable");
        assertThat(get(segment).headers().firstValue("X-Cache-Status")).as("cached").hasValue("HIT");
        // Past s-maxage nginx asks the origin again with the ETag and keeps its copy on 304.
        await().atMost(BOUND_WITH_SLACK).pollInterval(Duration.ofMillis(500))
                .until(() -> get(segment).headers().firstValue("X-Cache-Status").orElse(""), s -> s.equals("REVALIDATED"));

        origin.accessRecord(id, "private");
        long madePrivate = System.nanoTime();
        await().atMost(BOUND_WITH_SLACK).pollInterval(Duration.ofMillis(100)).until(() -> get(segment).statusCode() == 403);
        System.out.printf("the CDN refused the segment %.1f s after the video was made private (s-maxage %d s)%n",
                (System.nanoTime() - madePrivate) / 1e9, CDN_MAX_AGE);
        HttpResponse<byte[]> refused = get(segment);
        assertThat(refused.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("\"code\":\"forbidden\"");

        String token = URLEncoder.encode(new PlaybackTokens(OriginFixture.SIGNING_SECRET).issue(id, Instant.now().plusSeconds(600)),
                StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> withToken = get(segment + "?token=" + token);
            assertThat(withToken.statusCode()).isEqualTo(200);
            assertThat(withToken.body()).containsExactly(1, 2, 3);
            assertThat(withToken.headers().firstValue("Cache-Control")).hasValue("private, max-age=31536000, immutable");
            assertThat(withToken.headers().firstValue("X-Cache-Status")).as("never stored").hasValue("MISS");
        }
        HttpResponse<byte[]> playlist = get("/vod/" + id + "/720p/index.m3u8?token=" + token, "Accept-Encoding", "identity");
        assertThat(new String(playlist.body(), StandardCharsets.UTF_8)).contains("seg-0.m4s?token=" + token);
        assertThat(get(segment).statusCode()).as("the token's response is not served to others").isEqualTo(403);
    }

    @Test
    void aDeletedVideoLeavesTheCdnWithinTheBound() throws Exception {
        String id = video("public");
        String master = "/vod/" + id + "/master.m3u8";
        assertThat(get(master).statusCode()).isEqualTo(200);
        assertThat(get(master).headers().firstValue("X-Cache-Status")).hasValue("HIT");

        origin.accessRecord(id, "deleted");
        long deleted = System.nanoTime();
        await().atMost(BOUND_WITH_SLACK).pollInterval(Duration.ofMillis(100)).until(() -> get(master).statusCode() == 404);
        System.out.printf("the CDN answered 404 %.1f s after the video was deleted (s-maxage %d s)%n",
                (System.nanoTime() - deleted) / 1e9, CDN_MAX_AGE);
        assertThat(get(master).headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(get("/vod/" + id + "/720p/seg-0.m4s").statusCode()).isEqualTo(404);
    }

    @Test
    void whatTheOriginCannotConfirmIsNotServedStale() throws Exception {
        try (OriginFixture alone = OriginFixture.start("cdn-cache",
                OriginFixture.env("CASTPIPE_CDN_MAX_AGE_SECONDS", String.valueOf(CDN_MAX_AGE)), null);
             BundledNginx itsCdn = BundledNginx.start(alone.port)) {
            String segment = "/vod/" + video(alone, "public") + "/720p/seg-0.m4s";
            assertThat(get(itsCdn, segment).statusCode()).isEqualTo(200);
            assertThat(get(itsCdn, segment).headers().firstValue("X-Cache-Status")).hasValue("HIT");
            alone.close();
            // The origin is gone, so nobody can say whether the video is still public: once the
            // copy is older than s-maxage the CDN must not go on serving it.
            await().atMost(BOUND_WITH_SLACK).pollInterval(Duration.ofMillis(200))
                    .until(() -> get(itsCdn, segment).statusCode(), status -> status != 200);
            assertThat(get(itsCdn, segment).statusCode()).isIn(502, 504);
        }
    }

    /** A video as the transcoder leaves it, with its access record. */
    private static String video(String visibility) {
        return video(origin, visibility);
    }

    private static String video(OriginFixture origin, String visibility) {
        String id = Ids.newId();
        origin.accessRecord(id, visibility);
        origin.store.put(ObjectKeys.vodMaster(id), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n".getBytes(),
                "application/vnd.apple.mpegurl");
        origin.store.put(ObjectKeys.vodFile(id, "720p", "index.m3u8"), ("#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
                + "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4.000,\nseg-0.m4s\n#EXT-X-ENDLIST\n").getBytes(),
                "application/vnd.apple.mpegurl");
        origin.store.put(ObjectKeys.vodFile(id, "720p", "seg-0.m4s"), new byte[] {1, 2, 3}, "video/iso.segment");
        return id;
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return get(cdn, path, headers);
    }

    private static HttpResponse<byte[]> get(BundledNginx cdn, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cdn.port + path))
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
