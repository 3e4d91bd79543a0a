package io.castpipe.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static io.castpipe.app.BrowserTests.SCREENSHOTS;
import static io.castpipe.app.BrowserTests.assumeBrowser;
import static io.castpipe.app.BrowserTests.runScript;
import static io.castpipe.app.BrowserTests.testClip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The channel dashboard in headless Chromium against {@code ./castpipe}, as a streamer uses it
 * (dashboard.mjs): the admin token creates a user, who creates a low-latency channel, reveals
 * and rotates its stream key and reads the OBS settings; ffmpeg publishes with the rotated key
 * and keyframes 3 s apart, and the live health panel shows the measured figures and the
 * keyframe warning; a clip goes up through the page's file input with tus, is cut off by a
 * reload and a dropped connection and resumed from the server's offset to 100 %, becomes ready
 * in the video list and plays in hls.js; a second upload is cancelled and leaves nothing; signing
 * out forgets the token.
 * Needs Debian's {@code chromium} and {@code npm ci} in {@code app/src/test/js}. Screenshots go
 * to {@code target/screenshots/dashboard-*.png}.
 */
class DashboardBrowserIT {
    /** The page's tus chunk: the first PATCH ends there. */
    private static final long CHUNK_BYTES = 5L * 1024 * 1024;

    @Test
    void aStreamerSetsUpAChannelWatchesItsIngestAndUploadsAVideoThatPlays() throws Exception {
        assumeBrowser("the dashboard");
        Path dir = TestServices.tempDir("dashboard");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        // The API's absolute URLs (RTMP, uploads, playback) then name the host the page is opened at.
        env.put("CASTPIPE_HOST", "127.0.0.1");
        Path ffmpegBinary = FfmpegLocator.locate(Optional.empty(), dir);
        try (CastpipeProcess node = CastpipeProcess.start(env);
             Ffmpeg ffmpeg = new Ffmpeg(ffmpegBinary, Duration.ofMinutes(1))) {
            // 8 s of 720p at 6 Mb/s: about 6 MB, two tus chunks.
            Path clip = testClip(ffmpeg, dir.resolve("clip.mp4"), 8, "-b:v", "6000k");
            long clipBytes = Files.size(clip);
            node.awaitHealthy(Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + node.httpPort;
            String admin = node.adminToken();

            long started = System.nanoTime();
            JsonNode r = drive(List.of(base, admin, clip.toString(), ffmpegBinary.toString()));
            System.out.printf("dashboard.mjs: %.1f s in all, steps %s; clip %d bytes, resumed upload %.1f s; health %s%n",
                    (System.nanoTime() - started) / 1e9, r.get("steps"), clipBytes, r.get("resumeSeconds").asDouble(),
                    r.get("health"));

            // Sign in: a wrong token is refused on the page; the admin's makes a user, whose token is kept.
            assertThat(r.get("badTokenError").asText()).contains("does not know this token");
            assertThat(r.get("account").asText()).contains("Signed in as streamer");
            assertThat(r.get("savedTokenIsUsers").asBoolean()).as("the browser keeps the user's token, not the admin's").isTrue();

            // The channel: its key hidden until shown, rotated after confirming, OBS settings with the server.
            assertThat(r.get("keyHiddenAtFirst").asBoolean()).isTrue();
            assertThat(r.get("keyShown").asBoolean()).isTrue();
            assertThat(r.get("streamKey").asText()).startsWith("live_");
            assertThat(r.get("dialogs").asInt()).as("rotation asks first").isEqualTo(1);
            assertThat(r.get("rotatedKey").asText()).startsWith("live_").isNotEqualTo(r.get("streamKey").asText());
            JsonNode obs = r.get("obs");
            assertThat(obs.get("Server").asText()).isEqualTo("rtmp://127.0.0.1:" + env.get("CASTPIPE_RTMP_PORT") + "/live");
            assertThat(obs.get("Keyframe Interval").asText()).isEqualTo("1 s");
            assertThat(obs.get("Rate Control").asText()).isEqualTo("CBR");
            assertThat(obs.get("CPU Usage Preset").asText()).isEqualTo("veryfast");
            assertThat(obs.get("Tune").asText()).as("a low-latency channel").isEqualTo("zerolatency");
            assertThat(r.get("watchLink").asText()).isEqualTo("/watch/dash-live");

            // Live health, published with the rotated key: figures and the keyframe warning.
            JsonNode health = r.get("health");
            assertThat(health.get("Video bitrate").asText()).matches("\\d+ kbps").isNotEqualTo("0 kbps");
            assertThat(health.get("Frame rate").asText()).matches("(29|30)(\\.\\d)? fps");
            assertThat(health.get("Keyframe interval").asText()).startsWith("3");
            assertThat(health.get("Codecs").asText()).isEqualTo("h264 / aac");
            // The server's side: how the ladder is encoded (shed, on a busy machine), how far behind it is, its CPU.
            assertThat(health.get("Transcoding").asText())
                    .matches("(x264 [a-z]+(, the source in [0-9p and]+)?|the source passed through)"
                            + "( \\((shed from|started below) x264 [a-z]+.+\\))?(, changing step)?, \\d+(\\.\\d)? s behind, "
                            + "\\d+\\.\\d\\d cores");
            assertThat(r.get("healthWarning").asText()).contains("Keyframe Interval = 1 s");

            // The upload: one chunk, a reload, a dropped connection, resumed where the server was, to 100 %.
            assertThat(r.get("offsetsBeforeReload")).extracting(JsonNode::asLong).containsExactly(0L, CHUNK_BYTES);
            assertThat(r.get("resumeHint").asText()).contains("stopped partway");
            assertThat(r.get("resumeButton").asText()).isEqualTo("Resume upload");
            assertThat(r.get("offsetsAfterReload")).as("no byte sent twice after the reload")
                    .extracting(JsonNode::asLong).containsOnly(CHUNK_BYTES).hasSize(2);
            assertThat(r.get("progressValue").asInt()).isEqualTo(100);
            assertThat(r.get("progressText").asText()).startsWith("100 %");

            // A second upload cancelled after its first chunk: the upload and the video it made are gone.
            assertThat(r.get("cancelled").get("uploadStatus").asInt()).as("HEAD of the cancelled upload").isEqualTo(404);
            assertThat(r.get("cancelled").get("videoStatus").asInt()).as("its video").isEqualTo(404);
            assertThat(r.get("cancelled").get("listed").asBoolean()).isFalse();

            // The video: through the transcoder to ready in the list, linked, and playing.
            assertThat(r.get("statusesSeen")).extracting(JsonNode::asText).last().isEqualTo("ready");
            assertThat(r.get("videoLink").asText()).isEqualTo("/videos/" + r.get("videoId").asText());
            JsonNode playback = r.get("playback");
            assertThat(playback.get("fatal")).as(playback.toString()).isEmpty();
            assertThat(playback.get("currentTime").asDouble()).as(playback.toString()).isGreaterThanOrEqualTo(2.0);
            assertThat(r.get("tokenAfterSignOut").isNull()).as("signing out forgets the token").isTrue();
            assertThat(r.get("scriptErrors")).as("uncaught errors in the page").isEmpty();

            node.terminate(Duration.ofSeconds(10));
        }
    }

    /** Runs dashboard.mjs; returns its JSON line, or fails with its output and the step it failed in. */
    private static JsonNode drive(List<String> args) throws Exception {
        return runScript("dashboard.mjs", args, Map.of("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString()),
                Duration.ofMinutes(4));
    }
}
