package io.castpipe.transcoder.live;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.media.AvcSequenceHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class AvcSequenceHeaderTest {

    @ParameterizedTest(name = "{0}x{1} {2} {3}")
    @CsvSource({"1280,720,yuv420p,high", "640,360,yuv420p,baseline", "1920,1080,yuv420p,main", "322,242,yuv444p,high444",
            "1080,1920,yuv420p,high"})
    void readsThePictureSizeFromTheSpsFfmpegWrites(int width, int height, String pixelFormat, String profile) throws Exception {
        Path dir = TestServices.tempDir("sps");
        Path flv = dir.resolve("s.flv");
        try (Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(1))) {
            ffmpeg.command("sps").args("-y", "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":duration=0.2",
                    "-c:v", "libx264", "-pix_fmt", pixelFormat, "-profile:v", profile, "-f", "flv", flv.toString()).run();
        }
        FlvFile.Tag header = FlvFile.read(flv).tags().stream().filter(t -> t.type() == FlvWriter.VIDEO).findFirst().orElseThrow();
        assertThat(AvcSequenceHeader.pictureSize(header.body())).contains(new AvcSequenceHeader.PictureSize(width, height));
    }

    @ParameterizedTest
    @CsvSource({"''", "17", "170000000000000000000000000000"})
    void anythingElseIsNoSize(String hex) {
        assertThat(AvcSequenceHeader.pictureSize(java.util.HexFormat.of().parseHex(hex))).isEmpty();
    }
}
