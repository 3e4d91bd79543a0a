package io.castpipe.origin;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile request targets, sent byte for byte over a socket: each gets a 400 or 404 JSON
 * error, and the secret upload next to the video never comes back.
 */
class HostilePathTest {
    private static final String SECRET = "SECRET-SOURCE-BYTES-do-not-serve";
    private static OriginFixture f;
    private static String id;

    @BeforeAll
    static void start() throws Exception {
        f = OriginFixture.start("origin-hostile");
        id = Ids.newId();
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        f.store.put(ObjectKeys.uploadSource(id), secret, "application/octet-stream");
        f.store.put(ObjectKeys.accessRecord(id), "{\"visibility\":\"public\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        f.store.put(ObjectKeys.vodMaster(id), "#EXTM3U\n".getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl");
        // Objects an over-eager key builder might reach: a key with the id's sibling and one with the
        // secret under a name that the allowed extensions would accept.
        f.store.put("uploads/" + id + "/source.m4s", secret, "video/iso.segment");
        f.store.put("vod/" + id + "/a/b/c/d.m4s", secret, "video/iso.segment");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void hostilePathsAreRefusedWithJsonAndNeverReachOtherObjects() throws Exception {
        String longSegment = "a".repeat(65) + ".m4s";
        List<String> targets = List.of(
                "/vod/../uploads/" + id + "/source",
                "/vod/../uploads/" + id + "/source.m4s",
                "/vod/%2e%2e/uploads/" + id + "/source",
                "/vod/%2E%2E/uploads/" + id + "/source.m4s",
                "/vod/" + id + "/..%2f..%2fuploads%2f" + id + "%2fsource",
                "/vod/" + id + "/..%2F..%2Fuploads%2F" + id + "%2Fsource.m4s",
                "/vod/" + id + "/../../uploads/" + id + "/source.m4s",
                "/vod/" + id + "/..%5c..%5cuploads%5c" + id + "%5csource.m4s",
                "/vod/" + id + "/..\\..\\uploads\\" + id + "\\source.m4s",
                "/vod/" + id + "/x%00.m4s",
                "/vod/" + id + "/..;/..;/uploads/" + id + "/source.m4s",
                "/vod/" + id + "/a/b/c/d.m4s",
                "/vod/" + id + "/access.json",
                "/vod/" + id + "/thumbs/../access.json",
                "/vod/" + id + "/x.exe",
                "/vod/" + id + "/master.M3U8x",
                "/vod/" + id + "/.hidden.m4s",
                "/vod/" + id + "/720p/" + longSegment,
                "/vod/" + id + "//master.m3u8",
                "/vod/" + id + "/master.m3u8/",
                "/vod/" + id + "/720p/..m4s",
                "/vod/" + id + "/720p/a..m4s",
                "/vod/" + id,
                "/vod/",
                "/vod/NOT-AN-ID/master.m3u8",
                "/vod/" + id.toUpperCase() + "/master.m3u8",
                "/vod/" + id + "0/master.m3u8",
                "/vod/%2e%2e%2fuploads%2f" + id + "%2fsource",
                "http://127.0.0.1/vod/../uploads/" + id + "/source");
        for (String target : targets) {
            OriginFixture.RawResponse r = f.raw(target);
            assertThat(r.status()).as(target).isIn(400, 404);
            assertThat(r.bodyText()).as(target).doesNotContain(SECRET).doesNotContain("visibility");
            if (r.headers().containsKey("content-type")) {
                assertThat(r.headers().get("content-type")).as(target).isEqualTo("application/json");
                assertThat(r.bodyText()).as(target).startsWith("{\"error\":{\"code\":");
            } else {
                // Refused by the HTTP parser itself, before any handler.
                assertThat(r.status()).as(target).isEqualTo(400);
                assertThat(r.body()).as(target).isEmpty();
            }
        }
        // None of that touched the secret.
        assertThat(f.store.reads(ObjectKeys.uploadSource(id))).isZero();
        assertThat(f.store.reads("uploads/" + id + "/source.m4s")).isZero();
        assertThat(f.store.reads("vod/" + id + "/a/b/c/d.m4s")).isZero();
        // While the real file is right there.
        assertThat(f.raw("/vod/" + id + "/master.m3u8").status()).isEqualTo(200);
    }
}
