package io.castpipe.packager.hls;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasterPlaylistWriterTest {
    private static final String MEDIA = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:4
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-MAP:URI="init.mp4"
            #EXTINF:4.000000,
            seg-0.m4s
            #EXTINF:4.000000,
            seg-1.m4s
            #EXTINF:0.500000,
            seg-2.m4s
            #EXT-X-ENDLIST
            """;

    @Test
    void readsAMediaPlaylistBack() {
        MediaPlaylist p = MediaPlaylist.parse(MEDIA);
        assertThat(p.mapUri()).isEqualTo("init.mp4");
        assertThat(p.segments()).extracting(MediaPlaylist.Segment::uri).containsExactly("seg-0.m4s", "seg-1.m4s", "seg-2.m4s");
        assertThat(p.durationSeconds()).isEqualTo(8.5);
        assertThatThrownBy(() -> MediaPlaylist.parse("<html>")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void measuresPeakAndAverageBandwidthFromSegmentSizes() {
        Variant v = Variant.measure("720p/index.m3u8", MediaPlaylist.parse(MEDIA), 1000,
                List.of(1_500_000L, 2_000_000L, 100_000L), 1280, 720, List.of("avc1.64001f", "mp4a.40.2"), 30);
        assertThat(v.bandwidth()).isEqualTo(4_000_000L); // 2 MB over 4 s
        // (1000 + 3.6 MB) * 8 / 8.5 s; the short last segment counts over a full second, not 0.5 s
        assertThat(v.averageBandwidth()).isEqualTo(Math.round(3_601_000 * 8 / 8.5));
    }

    @Test
    void writesEveryAttributeAVariantNeedsHighestFirst() {
        String master = MasterPlaylistWriter.write(List.of(
                new Variant("360p/index.m3u8", 800_000, 700_000, 640, 360, List.of("avc1.64001e", "mp4a.40.2"), 30),
                new Variant("720p/index.m3u8", 3_300_000, 3_000_000, 1280, 720, List.of("avc1.64001f", "mp4a.40.2"), 29.97)));
        assertThat(master).isEqualTo("""
                #EXTM3U
                #EXT-X-VERSION:7
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-STREAM-INF:BANDWIDTH=3300000,AVERAGE-BANDWIDTH=3000000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970
                720p/index.m3u8
                #EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=30.000
                360p/index.m3u8
                """);
    }

    @Test
    void aWrittenMasterReadsBackAsTheSameVariants() {
        List<Variant> written = List.of(
                new Variant("720p/index.m3u8", 3_300_000, 3_000_000, 1280, 720, List.of("avc1.64001f", "mp4a.40.2"), 30),
                new Variant("source/index.m3u8", 5_000_000, 4_000_000, 1920, 1080, List.of(), 29.97));
        List<Variant> read = MasterPlaylist.parse(MasterPlaylistWriter.write(written));
        assertThat(read).containsExactlyInAnyOrder(written.get(0),
                new Variant("source/index.m3u8", 5_000_000, 4_000_000, 1920, 1080, List.of(), 29.97));
        assertThatThrownBy(() -> MasterPlaylist.parse("#EXTM3U\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
