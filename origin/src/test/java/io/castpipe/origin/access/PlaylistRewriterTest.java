package io.castpipe.origin.access;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlaylistRewriterTest {

    private static String rewrite(String playlist, String token) {
        return new String(PlaylistRewriter.addToken(playlist.getBytes(StandardCharsets.UTF_8), token), StandardCharsets.UTF_8);
    }

    @Test
    void everyRelativeUriGetsTheTokenAndTagsStayAsTheyWere() {
        String in = "#EXTM3U\r\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/index.m3u8\"\r\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\r\n"
                + "  720p/index.m3u8  \r\n"
                + "\r\n"
                + "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"720p/iframes.m3u8?x=1&token=old\"\r\n"
                + "/vod/abc/720p/seg-0.m4s#t=1\r\n"
                + "//cdn.example/seg.m4s\r\n"
                + "https://cdn.example/seg.m4s";
        String out = rewrite(in, "123.sig");
        assertThat(out).isEqualTo("#EXTM3U\r\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/index.m3u8?token=123.sig\"\r\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\r\n"
                + "720p/index.m3u8?token=123.sig\r\n"
                + "\r\n"
                + "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"720p/iframes.m3u8?x=1&token=123.sig\"\r\n"
                + "/vod/abc/720p/seg-0.m4s?token=123.sig#t=1\r\n"
                + "//cdn.example/seg.m4s\r\n"
                + "https://cdn.example/seg.m4s");
    }

    @Test
    void theTokenIsEncodedAsAQueryValue() {
        assertThat(PlaylistRewriter.withParam("a.m4s", "token=" + java.net.URLEncoder.encode("a b&c", StandardCharsets.UTF_8)))
                .isEqualTo("a.m4s?token=a+b%26c");
        assertThat(PlaylistRewriter.withParam("a.m4s?", "token=t")).isEqualTo("a.m4s?token=t");
        assertThat(PlaylistRewriter.withParam("a.m4s?token", "token=t")).isEqualTo("a.m4s?token=t");
    }
}
