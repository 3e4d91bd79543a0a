package io.castpipe.origin.vod;

import io.castpipe.origin.http.MediaType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VodPathTest {
    private static final String ID = "0123456789abcdef";

    @Test
    void theThreeShapesMapToKeysUnderTheVideo() throws Exception {
        assertThat(VodPath.parse("/vod/" + ID + "/master.m3u8"))
                .isEqualTo(new VodPath(ID, "vod/" + ID + "/master.m3u8", MediaType.M3U8));
        assertThat(VodPath.parse("/vod/" + ID + "/720p/seg-12.m4s"))
                .isEqualTo(new VodPath(ID, "vod/" + ID + "/720p/seg-12.m4s", MediaType.M4S));
        assertThat(VodPath.parse("/vod/" + ID + "/thumbs/storyboard.vtt"))
                .isEqualTo(new VodPath(ID, "vod/" + ID + "/thumbs/storyboard.vtt", MediaType.VTT));
        assertThat(VodPath.parse("http://host:8080/vod/" + ID + "/720p/init.mp4").storageKey())
                .isEqualTo("vod/" + ID + "/720p/init.mp4");
        assertThat(VodPath.parse("/vod/" + ID + "/" + "a".repeat(59) + ".m4s").type()).isEqualTo(MediaType.M4S);
    }

    @Test
    void anythingElseIsRefused() {
        String[][] cases = {
                {"/vod/" + ID + "/../x.m4s", "400"},
                {"/vod/" + ID + "/%2e%2e/x.m4s", "400"},
                {"/vod/" + ID + "/a\\b.m4s", "400"},
                {"/vod/" + ID + "/a\u0000.m4s", "400"},
                {"/vod/" + ID + "/a;b.m4s", "400"},
                {"/vod/" + ID + "/a b.m4s", "400"},
                {"/vod/" + ID + "/é.m4s", "400"},
                {"/vod/" + ID + "/a/b/c.m4s", "400"},
                {"/vod/" + ID + "/-x.m4s", "400"},
                {"/vod/" + ID + "/" + "a".repeat(61) + ".m4s", "400"},
                {"/vod/short/master.m3u8", "400"},
                {"/vod/" + ID + "/access.json", "404"},
                {"/vod/" + ID + "/x.M4S", "404"},
                {"/vod/" + ID + "/x", "404"},
                {"/vod/" + ID, "404"},
                {"/live/" + ID + "/master.m3u8", "404"},
                {"/vod/" + ID + "/" + "a/".repeat(200) + "x.m4s", "400"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> VodPath.parse(c[0])).as(c[0])
                    .isInstanceOfSatisfying(VodPath.Rejected.class,
                            r -> assertThat(r.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1])));
        }
    }
}
