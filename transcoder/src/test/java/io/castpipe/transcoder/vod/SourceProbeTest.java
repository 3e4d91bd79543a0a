package io.castpipe.transcoder.vod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Probing files that ffmpeg itself makes, in the shapes users upload. */
class SourceProbeTest {
    private static Ffmpeg ffmpeg;
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        dir = TestServices.tempDir("probe");
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), TestServices.tempDir("probe-bin")), Duration.ofMinutes(2));
    }

    @AfterAll
    static void tearDown() {
        ffmpeg.close();
    }

    private static Path make(String name, String... args) {
        Path out = dir.resolve(name);
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.add(out.toString());
        ffmpeg.command("make-" + name).args(a).run();
        return out;
    }

    @Test
    void anOrdinaryMp4() throws Exception {
        Path f = make("plain.mp4", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2",
                "-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest");
        SourceInfo info = SourceProbe.probe(ffmpeg, f, "plain");
        assertThat(info.container()).isEqualTo("mov");
        assertThat(info.width()).isEqualTo(640);
        assertThat(info.height()).isEqualTo(360);
        assertThat(info.frameRate()).isEqualTo(25);
        assertThat(info.videoCodec()).isEqualTo("h264");
        assertThat(info.pixelFormat()).isEqualTo("yuv420p");
        assertThat(info.audioCodec()).isEqualTo("aac");
        assertThat(info.durationSeconds()).isBetween(1.9, 2.2);
        assertThat(info.sizeBytes()).isEqualTo(Files.size(f));
    }

    @Test
    void aPortraitPhoneVideoIsMeasuredAsDisplayed() throws Exception {
        Path plain = make("landscape.mp4", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1",
                "-c:v", "libx264", "-pix_fmt", "yuv420p");
        // Phones store landscape pictures with a display rotation, as this remux does.
        Path f = make("phone.mp4", "-i", plain.toString(), "-c", "copy", "-metadata:s:v:0", "rotate=90");
        SourceInfo info = SourceProbe.probe(ffmpeg, f, "phone");
        assertThat(info.rotation()).isIn(90, 270);
        assertThat(info.width()).isEqualTo(360);
        assertThat(info.height()).isEqualTo(640);
        assertThat(info.audioCodec()).isNull();
    }

    @Test
    void tenBitVp9InWebm() throws Exception {
        Path f = make("clip.webm", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=1",
                "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p10le", "-deadline", "realtime", "-cpu-used", "8");
        SourceInfo info = SourceProbe.probe(ffmpeg, f, "webm");
        assertThat(info.container()).isEqualTo("matroska");
        assertThat(info.videoCodec()).isEqualTo("vp9");
        assertThat(info.pixelFormat()).startsWith("yuv420p10");
        assertThat(info.frameRate()).isEqualTo(24);
    }

    @Test
    void audioOnlyAndCoverArtAreNotVideo() throws Exception {
        Path cover = make("cover.png", "-f", "lavfi", "-i", "color=red:size=64x64", "-frames:v", "1");
        Path f = make("song.mp3", "-f", "lavfi", "-i", "sine=duration=1", "-i", cover.toString(),
                "-map", "0:a", "-map", "1:v", "-c:v", "mjpeg", "-disposition:v", "attached_pic", "-c:a", "libmp3lame");
        assertThatThrownBy(() -> SourceProbe.probe(ffmpeg, f, "song"))
                .isInstanceOf(JobFailure.class).hasMessage("The file has no video stream (it holds only audio).");
    }

    @Test
    void junkAndEmptyFilesGetAReasonAPersonUnderstands() throws Exception {
        Path junk = dir.resolve("junk.mp4");
        Files.writeString(junk, "<html>this is a web page, not a video</html>");
        assertThatThrownBy(() -> SourceProbe.probe(ffmpeg, junk, "junk"))
                .isInstanceOf(JobFailure.class)
                .hasMessageStartingWith("The file is not a video Castpipe can read (ffmpeg: Invalid data found when processing input")
                .extracting(e -> ((JobFailure) e).code()).isEqualTo("unreadable_input");

        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        assertThatThrownBy(() -> SourceProbe.probe(ffmpeg, empty, "empty"))
                .isInstanceOf(JobFailure.class).hasMessage("The uploaded file is empty.");
    }

    /**
     * An upload is the uploader's bytes. A playlist or a concat list names other files: opened
     * with every demuxer ffmpeg has, the probe below reads a file of this machine's (here a video
     * beside the test, in an attack the data folder's or the system's) and the transcode would
     * publish it as the uploader's video.
     */
    @Test
    void playlistsAndListsThatNameOtherFilesAreRefusedUnread() throws Exception {
        Path secret = make("secret.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:duration=2", "-c:v", "libx264");
        Path playlist = dir.resolve("playlist-upload");
        Files.writeString(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n" + secret.toUri() + "\n#EXT-X-ENDLIST\n");
        Path list = dir.resolve("concat-upload");
        Files.writeString(list, "ffconcat version 1.0\nfile secret.mp4\n");
        for (Path upload : List.of(playlist, list)) {
            assertThatThrownBy(() -> SourceProbe.probe(ffmpeg, upload, "hostile"))
                    .isInstanceOf(JobFailure.class)
                    .hasMessageStartingWith("The file is not in a video container Castpipe accepts (MP4, MOV, MKV")
                    .extracting(e -> ((JobFailure) e).code()).isEqualTo("unsupported_container");
        }
        // The same video as an upload of its own is accepted.
        assertThat(SourceProbe.probe(ffmpeg, secret, "plain").width()).isEqualTo(320);
    }
}
