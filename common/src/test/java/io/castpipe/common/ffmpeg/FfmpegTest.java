package io.castpipe.common.ffmpeg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bundled ffmpeg, run for real. */
class FfmpegTest {
    private static Path binary;
    private Ffmpeg ffmpeg;
    private Path work;

    @BeforeAll
    static void locate() throws Exception {
        binary = FfmpegLocator.locate(Optional.empty(), TestServices.tempDir("ffmpeg-data"));
    }

    @BeforeEach
    void setUp() throws Exception {
        ffmpeg = new Ffmpeg(binary, Duration.ofMinutes(2));
        work = TestServices.tempDir("ffmpeg-work");
    }

    @AfterEach
    void tearDown() {
        ffmpeg.close();
    }

    @Test
    void theBundledBinaryRuns() {
        assertThat(ffmpeg.version()).startsWith("ffmpeg version");
    }

    @Test
    void encodesAOneSecondGeneratedClipAndReportsProgress() {
        Path out = work.resolve("clip.mp4");
        List<FfmpegProgress> reports = new CopyOnWriteArrayList<>();

        FfmpegResult result = ffmpeg.command("clip")
                .args("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1",
                        "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "64k", "-shortest", out.toString())
                .onProgress(reports::add)
                .run();

        assertThat(result.exitCode()).isZero();
        assertThat(out).isRegularFile();
        assertThat(reports).isNotEmpty();
        FfmpegProgress last = reports.get(reports.size() - 1);
        assertThat(last.ended()).isTrue();
        assertThat(last.frame()).isEqualTo(25);
        assertThat(last.outTime().toMillis()).isBetween(900L, 1100L);

        // The clip decodes end to end without an error.
        ffmpeg.command("decode").args("-v", "error", "-xerror", "-i", out.toString(), "-f", "null", "-").run();
    }

    @Test
    void aFailureCarriesFfmpegsOwnReason() throws Exception {
        Path junk = work.resolve("junk.mp4");
        Files.write(junk, "this is not a video".getBytes());

        assertThatThrownBy(() -> ffmpeg.command("junk").args("-i", junk.toString(), "-f", "null", "-").run())
                .isInstanceOf(FfmpegException.class)
                .hasMessageContaining("ffmpeg [junk] exited with status 1")
                .hasMessageContaining("Invalid data found when processing input");
    }

    @Test
    void aRunPastItsDeadlineIsKilled() {
        FfmpegJob job = ffmpeg.command("slow")
                .args("-re", "-f", "lavfi", "-i", "testsrc2=rate=25", "-f", "null", "-")
                .timeout(Duration.ofSeconds(1))
                .start();
        long pid = job.pid();

        assertThatThrownBy(job::await).isInstanceOf(FfmpegException.class).hasMessageContaining("timed out after 1 s");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void closingTheRunnerKillsEveryChild() throws Exception {
        List<Long> pids = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pids.add(ffmpeg.command("live-" + i)
                    .args("-re", "-f", "lavfi", "-i", "testsrc2=rate=25", "-f", "null", "-")
                    .start().pid());
        }
        assertThat(ffmpeg.runningCount()).isEqualTo(2);

        ffmpeg.close();

        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        }
        assertThat(ffmpeg.runningCount()).isZero();
        assertThatThrownBy(() -> ffmpeg.command("late").args("-version").start()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aConfiguredPathThatIsNotExecutableIsRefusedClearly() {
        assertThatThrownBy(() -> FfmpegLocator.locate(Optional.of("/nonexistent/ffmpeg"), work))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CASTPIPE_FFMPEG=/nonexistent/ffmpeg is not an executable file");
    }
}
