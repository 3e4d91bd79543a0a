package io.castpipe.origin;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** VOD delivery through a real HTTP listener from the real embedded S3 server: headers, validators, ranges. */
class VodDeliveryTest {
    private static final String MASTER = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"
            720p/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=854x480,CODECS="avc1.64001e,mp4a.40.2"
            480p/index.m3u8
            """;

    private static OriginFixture f;
    private static String id;
    private static byte[] segment;

    @BeforeAll
    static void start() throws Exception {
        f = OriginFixture.start("origin-delivery");
        id = Ids.newId();
        segment = new byte[50_000];
        new Random(7).nextBytes(segment);
        f.accessRecord(id, "public");
        f.store.put(ObjectKeys.vodMaster(id), MASTER.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
        f.store.put(ObjectKeys.vodFile(id, "720p", "seg-0.m4s"), segment, "video/iso.segment");
        f.store.put(ObjectKeys.vodFile(id, "720p", "init.mp4"), new byte[]{0, 0, 0, 8, 'f', 't', 'y', 'p'}, "video/mp4");
        f.store.put(ObjectKeys.vodThumb(id, "poster.jpg"), new byte[]{(byte) 0xff, (byte) 0xd8, (byte) 0xff}, "image/jpeg");
        f.store.put(ObjectKeys.vodThumb(id, "storyboard.vtt"),
                "WEBVTT\n\n00:00.000 --> 00:04.000\nsprite-0.jpg#xywh=0,0,160,90\n".getBytes(StandardCharsets.UTF_8), "text/vtt");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static String vod(String rest) {
        return "/vod/" + id + "/" + rest;
    }

    @Test
    void eachTypeHasItsContentTypeAndCachePolicy() {
        assertHeaders(vod("master.m3u8"), "application/vnd.apple.mpegurl", "public, max-age=300, s-maxage=60");
        assertHeaders(vod("720p/seg-0.m4s"), "video/iso.segment", "public, max-age=31536000, s-maxage=60, immutable");
        assertHeaders(vod("720p/init.mp4"), "video/mp4", "public, max-age=31536000, s-maxage=60, immutable");
        assertHeaders(vod("thumbs/poster.jpg"), "image/jpeg", "public, max-age=31536000, s-maxage=60, immutable");
        assertHeaders(vod("thumbs/storyboard.vtt"), "text/vtt; charset=utf-8", "public, max-age=300, s-maxage=60");

        HttpResponse<byte[]> seg = f.get(vod("720p/seg-0.m4s"));
        assertThat(seg.body()).isEqualTo(segment);
        assertThat(seg.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(seg.headers().firstValue("Content-Length")).hasValue(String.valueOf(segment.length));
        assertThat(f.get(vod("master.m3u8")).body()).asString(StandardCharsets.UTF_8).isEqualTo(MASTER);
    }

    private static void assertHeaders(String path, String contentType, String cacheControl) {
        HttpResponse<byte[]> r = f.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue(contentType);
        assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValue(cacheControl);
        assertThat(r.headers().firstValue("ETag")).as(path).hasValueSatisfying(e -> assertThat(e).matches("\"[^\"]+\""));
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue("*");
    }

    @Test
    void strongEtagAndIfNoneMatchGive304() {
        HttpResponse<byte[]> first = f.get(vod("720p/seg-0.m4s"));
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).doesNotStartWith("W/");

        HttpResponse<byte[]> again = f.get(vod("720p/seg-0.m4s"), "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(again.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, s-maxage=60, immutable");

        assertThat(f.get(vod("720p/seg-0.m4s"), "If-None-Match", "\"other\", " + etag).statusCode()).isEqualTo(304);
        assertThat(f.get(vod("720p/seg-0.m4s"), "If-None-Match", "W/" + etag).statusCode()).isEqualTo(304);
        assertThat(f.get(vod("720p/seg-0.m4s"), "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
    }

    @Test
    void singleRangesGive206AndUnsatisfiableGives416() {
        String path = vod("720p/seg-0.m4s");
        int len = segment.length;

        HttpResponse<byte[]> closed = f.get(path, "Range", "bytes=100-199");
        assertThat(closed.statusCode()).isEqualTo(206);
        assertThat(closed.body()).isEqualTo(Arrays.copyOfRange(segment, 100, 200));
        assertThat(closed.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + len);
        assertThat(closed.headers().firstValue("Content-Length")).hasValue("100");

        HttpResponse<byte[]> open = f.get(path, "Range", "bytes=49000-");
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(segment, 49_000, len));
        assertThat(open.headers().firstValue("Content-Range")).hasValue("bytes 49000-" + (len - 1) + "/" + len);

        HttpResponse<byte[]> suffix = f.get(path, "Range", "bytes=-500");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(segment, len - 500, len));
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes " + (len - 500) + "-" + (len - 1) + "/" + len);

        HttpResponse<byte[]> beyondEnd = f.get(path, "Range", "bytes=49990-60000");
        assertThat(beyondEnd.statusCode()).isEqualTo(206);
        assertThat(beyondEnd.body()).hasSize(10);

        HttpResponse<byte[]> unsatisfiable = f.get(path, "Range", "bytes=" + len + "-");
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(unsatisfiable.headers().firstValue("Content-Range")).hasValue("bytes */" + len);
        assertThat(new String(unsatisfiable.body(), StandardCharsets.UTF_8)).contains("\"error\"");

        HttpResponse<byte[]> multi = f.get(path, "Range", "bytes=0-9,20-29");
        assertThat(multi.statusCode()).isEqualTo(200);
        assertThat(multi.body()).isEqualTo(segment);

        String etag = closed.headers().firstValue("ETag").orElseThrow();
        assertThat(f.get(path, "Range", "bytes=0-9", "If-Range", etag).statusCode()).isEqualTo(206);
        assertThat(f.get(path, "Range", "bytes=0-9", "If-Range", "\"stale\"").statusCode()).isEqualTo(200);
    }

    @Test
    void headIsGetWithoutTheBody() {
        for (String path : new String[]{vod("720p/seg-0.m4s"), vod("master.m3u8")}) {
            HttpResponse<byte[]> get = f.get(path);
            HttpResponse<byte[]> head = f.send("HEAD", path);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            for (String h : new String[]{"Content-Type", "Content-Length", "Cache-Control", "ETag", "Accept-Ranges"}) {
                assertThat(head.headers().firstValue(h)).as(path + " " + h).isEqualTo(get.headers().firstValue(h));
            }
        }
        HttpResponse<byte[]> partial = f.send("HEAD", vod("720p/seg-0.m4s"), "Range", "bytes=0-9");
        assertThat(partial.statusCode()).isEqualTo(206);
        assertThat(partial.headers().firstValue("Content-Range")).hasValue("bytes 0-9/" + segment.length);
    }

    @Test
    void corsHeadersAndPreflight() {
        HttpResponse<byte[]> preflight = f.send("OPTIONS", vod("720p/seg-0.m4s"),
                "Origin", "https://player.example", "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "range");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, HEAD, OPTIONS");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValueSatisfying(
                v -> assertThat(v).containsIgnoringCase("Range"));

        HttpResponse<byte[]> get = f.get(vod("720p/seg-0.m4s"), "Origin", "https://player.example");
        assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(get.headers().firstValue("Access-Control-Expose-Headers")).hasValueSatisfying(v ->
                assertThat(v).contains("Content-Length").contains("Content-Range").contains("ETag"));

        HttpResponse<byte[]> missing = f.get(vod("720p/nope.m4s"), "Origin", "https://player.example");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");

        HttpResponse<byte[]> post = f.send("POST", vod("master.m3u8"));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
    }

    @Test
    void playlistsAreGzippedForClientsThatAcceptIt() throws Exception {
        HttpResponse<byte[]> gz = f.get(vod("master.m3u8"), "Accept-Encoding", "br, gzip;q=0.8");
        assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gz.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(gz.headers().firstValue("Content-Length")).hasValue(String.valueOf(gz.body().length));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(MASTER);
        }
        HttpResponse<byte[]> plain = f.get(vod("master.m3u8"));
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        String gzTag = gz.headers().firstValue("ETag").orElseThrow();
        assertThat(gzTag).isNotEqualTo(plain.headers().firstValue("ETag").orElseThrow());
        assertThat(f.get(vod("master.m3u8"), "Accept-Encoding", "gzip", "If-None-Match", gzTag).statusCode()).isEqualTo(304);

        assertThat(f.get(vod("master.m3u8"), "Accept-Encoding", "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();
        // Segments are never compressed.
        assertThat(f.get(vod("720p/seg-0.m4s"), "Accept-Encoding", "gzip").headers().firstValue("Content-Encoding")).isEmpty();
    }

    @Test
    void overHttp2PlaylistsAreServedGzippedAndSegmentsByRange() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<byte[]> plain = h2.send(HttpRequest.newBuilder(f.uri(vod("master.m3u8"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(plain.body()).asString(StandardCharsets.UTF_8).isEqualTo(MASTER);

        HttpResponse<byte[]> gz = h2.send(HttpRequest.newBuilder(f.uri(vod("master.m3u8")))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gz.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(MASTER);
        }

        HttpResponse<byte[]> range = h2.send(HttpRequest.newBuilder(f.uri(vod("720p/seg-0.m4s")))
                .header("Range", "bytes=100-199").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(segment, 100, 200));
    }

    @Test
    void anEmptyObjectIsServedEmpty() {
        f.store.put(ObjectKeys.vodThumb(id, "empty.vtt"), new byte[0], "text/vtt");
        HttpResponse<byte[]> r = f.get(vod("thumbs/empty.vtt"), "Accept-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("Content-Length")).hasValue("0");
        assertThat(f.get(vod("thumbs/empty.vtt"), "Range", "bytes=0-").statusCode()).isEqualTo(416);
    }

    @Test
    void missingObjectIs404Json() {
        HttpResponse<byte[]> r = f.get(vod("720p/seg-99.m4s"));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"code\":\"not_found\"");

        assertThat(f.get("/vod/" + Ids.newId() + "/master.m3u8").statusCode()).isEqualTo(404);
    }

    @Test
    void anObjectThatAppearsAfterA404IsServedWithinASecond() {
        String path = vod("480p/index.m3u8");
        assertThat(f.get(path).statusCode()).isEqualTo(404);
        f.store.put(ObjectKeys.vodFile(id, "480p", "index.m3u8"), "#EXTM3U\n".getBytes(StandardCharsets.UTF_8),
                "application/vnd.apple.mpegurl");
        long start = System.nanoTime();
        int status;
        do {
            status = f.get(path).statusCode();
        } while (status == 404 && System.nanoTime() - start < 3_000_000_000L);
        assertThat(status).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until served").isLessThan(1_500);
    }
}
