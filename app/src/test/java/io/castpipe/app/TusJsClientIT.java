package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tus client browsers and Uppy use, tus-js-client, uploading to {@code ./castpipe}: aborted
 * after two chunks, resumed from the upload URL, and the video made ready. Needs Node.js and
 * {@code npm ci} in {@code app/src/test/js} (as {@code .ci/run} does).
 */
class TusJsClientIT {
    private static final Path CLIENT = Path.of("src/test/js");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tusJsClientUploadsAbortsResumesAndTheVideoBecomesReady() throws Exception {
        assumeTrue(Files.isDirectory(CLIENT.resolve("node_modules/tus-js-client")),
                "run 'npm ci' in app/src/test/js to test with tus-js-client");
        Path dir = TestServices.tempDir("tusjs");
        Path clip = dir.resolve("clip.mp4");
        try (Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2))) {
            // About 4 MB: several of the client's 1 MiB chunks.
            ffmpeg.command("clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=6",
                    "-f", "lavfi", "-i", "sine=duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "5M",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip.toString()).run();
        }
        try (CastpipeProcess node = CastpipeProcess.start(CastpipeProcess.freshNode(dir.resolve("data")))) {
            node.awaitHealthy(Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + node.httpPort;
            String admin = node.stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
            HttpClient http = HttpClient.newHttpClient();
            String token = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/users"))
                    .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"js\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get("token").asText();

            Process upload = new ProcessBuilder("node", "tus-upload.mjs", base + "/api/uploads", token, clip.toString())
                    .directory(CLIENT.toFile()).redirectErrorStream(true).start();
            assertThat(upload.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(upload.getInputStream().readAllBytes()).trim();
            assertThat(upload.exitValue()).as(out).isZero();
            JsonNode result = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
            assertThat(result.get("offsetAtAbort").asLong()).isGreaterThanOrEqualTo(2L << 20).isLessThan(result.get("bytes").asLong());
            String videoId = result.get("videoId").asText();

            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            JsonNode video = null;
            while (System.nanoTime() < deadline) {
                video = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/videos/" + videoId))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
                if (video.get("status").asText().matches("ready|failed")) {
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(video.get("status").asText()).as(String.valueOf(video)).isEqualTo("ready");
            assertThat(video.get("source").get("sizeBytes").asLong()).isEqualTo(Files.size(clip));
            node.terminate(Duration.ofSeconds(10));
        }
    }
}
