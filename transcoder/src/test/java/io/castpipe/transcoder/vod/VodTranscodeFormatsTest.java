package io.castpipe.transcoder.vod;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import io.castpipe.common.TestServices;
import io.castpipe.transcoder.StoredRendition;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.media.Ids;
import io.castpipe.transcoder.ApiVideos;
import io.castpipe.transcoder.DeletedVideos;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The shapes of file people upload, each made into a ladder that decodes cleanly. */
class VodTranscodeFormatsTest {
    private static S3ObjectStore store;
    private static Ffmpeg ffmpeg;
    private static Path dir;
    private static final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        dir = TestServices.tempDir("formats");
        store = new S3ObjectStore(new S3Settings(URI.create(TestServices.s3().endpoint()), "us-east-1", "formats-test",
                TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY, true, 5 * 1024 * 1024));
        store.ensureBucket();
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        checks.shutdownNow();
        ffmpeg.close();
        store.close();
    }

    static Stream<Arguments> uploads() {
        String src = "testsrc2=size=%s:rate=%s:duration=3";
        return Stream.of(
                Arguments.of("portrait phone video (rotated)", "phone.mp4", 360, 640,
                        List.of("-f", "lavfi", "-i", String.format(src, "640x360", "30"), "-c:v", "libx264",
                                "-pix_fmt", "yuv420p")),
                Arguments.of("odd size, 4:4:4, no audio", "odd.mp4", 321, 241,
                        List.of("-f", "lavfi", "-i", String.format(src, "320x240", "25"), "-vf", "scale=321:241",
                                "-c:v", "libx264", "-pix_fmt", "yuv444p")),
                Arguments.of("variable frame rate", "vfr.mkv", 640, 360,
                        List.of("-f", "lavfi", "-i", String.format(src, "640x360", "30"), "-vf",
                                "setpts='N/(30*TB)+if(mod(N,3),0,0.02/TB)'", "-vsync", "vfr", "-c:v", "libx264",
                                "-pix_fmt", "yuv420p")),
                Arguments.of("10-bit VP9 in WebM with Opus", "tenbit.webm", 640, 360,
                        List.of("-f", "lavfi", "-i", String.format(src, "640x360", "24"), "-f", "lavfi", "-i",
                                "sine=duration=3", "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p10le", "-deadline", "realtime",
                                "-cpu-used", "8", "-c:a", "libopus", "-shortest")),
                Arguments.of("H.264 and MP3 in MKV", "plain.mkv", 640, 360,
                        List.of("-f", "lavfi", "-i", String.format(src, "640x360", "50"), "-f", "lavfi", "-i",
                                "sine=duration=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "libmp3lame",
                                "-shortest")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uploads")
    void becomesALadderThatDecodes(String what, String file, int width, int height, List<String> makeArgs) throws Exception {
        Path made = dir.resolve(file);
        ffmpeg.command("make").args("-y").args(makeArgs).args(made.toString()).run();
        if (file.equals("phone.mp4")) {
            // A phone stores the sensor's landscape picture with a display rotation; ffmpeg writes one when remuxing.
            Path rotated = dir.resolve("rotated-" + file);
            ffmpeg.command("rotate").args("-y", "-i", made.toString(), "-c", "copy", "-metadata:s:v:0", "rotate=90",
                    rotated.toString()).run();
            made = rotated;
        }
        String id = Ids.newId();
        ApiVideos.created(store, id);
        store.put(ObjectKeys.uploadSource(id), Files.readAllBytes(made), "application/octet-stream");

        VideoEvent ready = new VodTranscode(store, ffmpeg, dir.resolve("work"), 2, "ultrafast", new DeletedVideos(store), checks)
                .run(id, ObjectKeys.uploadSource(id), Ids.newId(), p -> { });

        assertThat(ready.source().width()).isEqualTo(width);
        assertThat(ready.source().height()).isEqualTo(height);
        assertThat(ready.renditions()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.width()).isLessThanOrEqualTo(width);
            assertThat(r.height()).isLessThanOrEqualTo(height);
            assertThat(r.width() % 2).isZero();
            assertThat(r.height() % 2).isZero();
            assertThat(r.width() > r.height()).isEqualTo(width > height);
        });
        for (RenditionInfo r : ready.renditions()) {
            Path local = StoredRendition.download(store, ObjectKeys.vodPrefix(id) + r.name() + "/", dir.resolve(id).resolve(r.name()));
            assertThat(StoredRendition.decodedSeconds(ffmpeg, local.resolve("index.m3u8"))).as(r.name()).isBetween(2.8, 3.2);
        }
    }
}
