package io.castpipe.packager.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.packager.cmaf.Fmp4Fixtures;
import io.castpipe.packager.cmaf.FragmentParser;
import io.castpipe.packager.hls.MasterPlaylistWriter;
import io.castpipe.packager.hls.MediaPlaylist;
import io.castpipe.packager.hls.Variant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The existing master playlist writer serves live renditions as it is. */
class LiveMasterPlaylistTest {

    @Test
    void aLiveMasterFromNominalRatesAndTheInitsCodecsAndAMeasuredOneForTheRecording() throws Exception {
        List<LiveSegment> segments = new ArrayList<>();
        List<String> codecs = new ArrayList<>();
        LivePlaylist playlist = new LivePlaylist(6, Duration.ofSeconds(2));
        LiveSegmenter segmenter = new LiveSegmenter(Duration.ofSeconds(2), 0, new LiveSegmenter.Listener() {
            @Override
            public void onInit(io.castpipe.packager.cmaf.Fmp4Init init, int version) {
                codecs.addAll(init.codecs());
            }

            @Override
            public void onSegment(LiveSegment segment) {
                segments.add(segment);
                playlist.add(segment);
            }
        });
        Fmp4Fixtures.feedInChunks(new FragmentParser(segmenter), Fmp4Fixtures.muxed(), 1, 1 << 16);
        segmenter.end();
        playlist.end();

        // while live, the ladder's nominal rates: nothing has been measured yet
        String live = MasterPlaylistWriter.write(List.of(
                new Variant("720p/index.m3u8", 3_128_000, 3_128_000, 1280, 720, codecs, 30),
                new Variant("360p/index.m3u8", 828_000, 828_000, 640, 360, codecs, 30)));
        assertThat(live).contains("#EXT-X-STREAM-INF:BANDWIDTH=3128000,AVERAGE-BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS=\"avc1.")
                .contains("mp4a.40.2\",FRAME-RATE=30.000\n720p/index.m3u8\n");

        // after the stream, the VOD form reads back and measures like a VOD rendition
        MediaPlaylist vod = MediaPlaylist.parse(LivePlaylistWriter.write(playlist.vod()));
        assertThat(vod.mapUri()).isEqualTo("init.mp4");
        assertThat(vod.durationSeconds()).isCloseTo(10.0, within(0.05));
        Variant measured = Variant.measure("360p/vod.m3u8", vod, 1252, segments.stream().map(LiveSegment::size).toList(),
                640, 360, codecs, 30);
        long total = segments.stream().mapToLong(LiveSegment::size).sum();
        assertThat(measured.averageBandwidth()).isCloseTo(Math.round((total + 1252) * 8 / vod.durationSeconds()), within(1L));
        assertThat(measured.bandwidth()).isGreaterThanOrEqualTo(measured.averageBandwidth());
    }
}
