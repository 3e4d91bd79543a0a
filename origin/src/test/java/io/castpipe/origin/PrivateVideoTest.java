package io.castpipe.origin;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Private videos need a playback token for that video (or the admin token); public and unlisted
 * ones need nothing; a deleted video (its record a tombstone) is served to nobody, nor is one
 * without a record (not known yet).
 */
class PrivateVideoTest {
    private static final String ADMIN = "admin-token-for-tests";
    private static final String MASTER = """
            #EXTM3U
            #EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720
            720p/index.m3u8
            """;
    private static final String INDEX = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:4
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-MAP:URI="init.mp4"
            #EXTINF:4.000,
            seg-0.m4s
            #EXTINF:4.000,
            seg-1.m4s?v=2
            #EXTINF:4.000,
            https://elsewhere.example/seg-2.m4s
            #EXT-X-ENDLIST
            """;

    private static final PlaybackTokens TOKENS = new PlaybackTokens(OriginFixture.SIGNING_SECRET);
    /** The all-in-one node: it has the admin token. */
    private static OriginFixture node;
    /** An origin-only node: no admin token. */
    private static OriginFixture originOnly;
    private static String privateId;
    private static String publicId;
    private static String unlistedId;

    @BeforeAll
    static void start() throws Exception {
        node = OriginFixture.start("origin-private", Map.of(), ADMIN);
        originOnly = OriginFixture.start("origin-private", Map.of(), null);
        privateId = Ids.newId();
        publicId = Ids.newId();
        unlistedId = Ids.newId();
        for (String id : List.of(privateId, publicId, unlistedId)) {
            node.store.put(ObjectKeys.vodMaster(id), MASTER.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
            node.store.put(ObjectKeys.vodFile(id, "720p", "index.m3u8"), INDEX.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
            node.store.put(ObjectKeys.vodFile(id, "720p", "init.mp4"), new byte[]{0, 0, 0, 8}, "video/mp4");
            node.store.put(ObjectKeys.vodFile(id, "720p", "seg-0.m4s"), new byte[]{1, 2, 3}, "video/iso.segment");
            node.store.put(ObjectKeys.vodFile(id, "720p", "seg-1.m4s"), new byte[]{4, 5, 6}, "video/iso.segment");
        }
        access(privateId, "private");
        access(publicId, "public");
        access(unlistedId, "unlisted");
    }

    private static void access(String id, String visibility) {
        node.accessRecord(id, visibility);
    }

    @AfterAll
    static void stop() {
        node.close();
        originOnly.close();
    }

    private static String token(String id, long secondsFromNow) {
        return URLEncoder.encode(TOKENS.issue(id, Instant.now().plusSeconds(secondsFromNow)), StandardCharsets.UTF_8);
    }

    @Test
    void aPrivateVideoWithoutATokenIs403() {
        for (String file : List.of("master.m3u8", "720p/index.m3u8", "720p/seg-0.m4s", "720p/missing.m4s")) {
            HttpResponse<byte[]> r = node.get("/vod/" + privateId + "/" + file);
            assertThat(r.statusCode()).as(file).isEqualTo(403);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).as(file).contains("\"code\":\"forbidden\"");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        }
    }

    @Test
    void aValidTokenPlaysAndThePlaylistsCarryIt() {
        String token = token(privateId, 600);
        HttpResponse<byte[]> master = node.get("/vod/" + privateId + "/master.m3u8?token=" + token);
        assertThat(master.statusCode()).isEqualTo(200);
        assertThat(master.headers().firstValue("Cache-Control")).hasValue("private, max-age=300");
        assertThat(new String(master.body(), StandardCharsets.UTF_8)).contains("\n720p/index.m3u8?token=" + token + "\n");

        HttpResponse<byte[]> index = node.get("/vod/" + privateId + "/720p/index.m3u8?token=" + token);
        assertThat(index.statusCode()).isEqualTo(200);
        String text = new String(index.body(), StandardCharsets.UTF_8);
        assertThat(text)
                .contains("#EXT-X-MAP:URI=\"init.mp4?token=" + token + "\"")
                .contains("\nseg-0.m4s?token=" + token + "\n")
                .contains("\nseg-1.m4s?v=2&token=" + token + "\n")
                .contains("\nhttps://elsewhere.example/seg-2.m4s\n")
                .contains("#EXTINF:4.000,\n")
                .endsWith("#EXT-X-ENDLIST\n");
        // The rewritten playlist has its own validator, and it works.
        String etag = index.headers().firstValue("ETag").orElseThrow();
        assertThat(node.get("/vod/" + privateId + "/720p/index.m3u8?token=" + token, "If-None-Match", etag).statusCode())
                .isEqualTo(304);

        // Every URI in it is playable as written.
        for (String uri : List.of("init.mp4?token=" + token, "seg-0.m4s?token=" + token, "seg-1.m4s?v=2&token=" + token)) {
            HttpResponse<byte[]> r = node.get("/vod/" + privateId + "/720p/" + uri);
            assertThat(r.statusCode()).as(uri).isEqualTo(200);
            assertThat(r.headers().firstValue("Cache-Control")).as(uri).hasValue("private, max-age=31536000, immutable");
        }
        assertThat(node.get("/vod/" + privateId + "/720p/seg-1.m4s?v=2&token=" + token).body()).containsExactly(4, 5, 6);
    }

    @Test
    void expiredForgedAndOtherVideosTokensAre403() {
        String expired = token(privateId, -5);
        String forged = TOKENS.issue(privateId, Instant.now().plusSeconds(600));
        forged = forged.substring(0, forged.length() - 2) + (forged.endsWith("AA") ? "BB" : "AA");
        String otherVideo = token(publicId, 600);
        String otherSecret = new PlaybackTokens("another-secret").issue(privateId, Instant.now().plusSeconds(600));
        for (String bad : List.of(expired, forged, otherVideo, otherSecret, "garbage", "", "99999999999.x")) {
            HttpResponse<byte[]> r = node.get("/vod/" + privateId + "/master.m3u8?token=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(bad).isEqualTo(403);
        }
    }

    @Test
    void theAdminTokenPlaysWhereTheNodeHasOne() {
        HttpResponse<byte[]> r = node.get("/vod/" + privateId + "/master.m3u8", "Authorization", "Bearer " + ADMIN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("private, max-age=300");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(MASTER);
        assertThat(node.get("/vod/" + privateId + "/master.m3u8", "Authorization", "Bearer wrong").statusCode()).isEqualTo(403);
        assertThat(node.get("/vod/" + privateId + "/master.m3u8", "Authorization", "Basic " + ADMIN).statusCode()).isEqualTo(403);

        // An origin-only node has no admin token: the header opens nothing, tokens still work.
        assertThat(originOnly.get("/vod/" + privateId + "/master.m3u8", "Authorization", "Bearer " + ADMIN).statusCode())
                .isEqualTo(403);
        assertThat(originOnly.get("/vod/" + privateId + "/master.m3u8?token=" + token(privateId, 60)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void publicAndUnlistedVideosNeedNoToken() {
        for (String id : List.of(publicId, unlistedId)) {
            HttpResponse<byte[]> r = node.get("/vod/" + id + "/720p/index.m3u8");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=300, s-maxage=60");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(INDEX);
        }
        // A token on a public video is harmless but keeps the response out of shared caches.
        HttpResponse<byte[]> withToken = node.get("/vod/" + publicId + "/720p/seg-0.m4s?token=" + token(publicId, 60));
        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withToken.headers().firstValue("Cache-Control")).hasValue("private, max-age=31536000, immutable");
    }

    @Test
    void aDeletedVideoIsGoneForEveryoneWhateverIsStillInStorageOrWrittenAfter() {
        String id = Ids.newId();
        node.store.put(ObjectKeys.vodMaster(id), MASTER.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
        node.store.put(ObjectKeys.vodFile(id, "720p", "seg-0.m4s"), new byte[]{1, 2, 3}, "video/iso.segment");
        access(id, "private");
        String token = token(id, 600);
        assertThat(node.get("/vod/" + id + "/720p/seg-0.m4s?token=" + token).statusCode()).isEqualTo(200);

        // The API makes the record a tombstone first; a transcode still running may write on.
        access(id, "deleted");
        await().atMost(Duration.ofSeconds(20)).until(() -> node.get("/vod/" + id + "/720p/seg-0.m4s?token=" + token).statusCode() == 404);
        node.store.put(ObjectKeys.vodFile(id, "720p", "seg-1.m4s"), new byte[]{4, 5, 6}, "video/iso.segment");
        for (String file : List.of("master.m3u8", "720p/seg-0.m4s", "720p/seg-1.m4s")) {
            HttpResponse<byte[]> anyone = node.get("/vod/" + id + "/" + file);
            assertThat(anyone.statusCode()).as(file).isEqualTo(404);
            assertThat(anyone.headers().firstValue("Cache-Control")).as(file).hasValue("no-store");
            assertThat(node.get("/vod/" + id + "/" + file + "?token=" + token).statusCode()).as(file).isEqualTo(404);
            assertThat(node.get("/vod/" + id + "/" + file, "Authorization", "Bearer " + ADMIN).statusCode()).as(file).isEqualTo(404);
        }
        // A video without a record (not written yet, or made before there were records) is served to nobody either.
        String neverMade = Ids.newId();
        node.store.put(ObjectKeys.vodMaster(neverMade), MASTER.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
        assertThat(node.get("/vod/" + neverMade + "/master.m3u8").statusCode()).isEqualTo(404);
    }

    @Test
    void anUnreadableAccessFileMeansPrivate() {
        String id = Ids.newId();
        node.store.put(ObjectKeys.vodMaster(id), MASTER.getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
        node.store.put(ObjectKeys.accessRecord(id), "{\"visibility\":\"secret\"".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(node.get("/vod/" + id + "/master.m3u8").statusCode()).isEqualTo(403);
        assertThat(node.get("/vod/" + id + "/master.m3u8?token=" + token(id, 60)).statusCode()).isEqualTo(200);
    }
}
