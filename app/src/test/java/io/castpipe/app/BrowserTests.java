package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.ffmpeg.Ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the browser tests share: the Node scripts in {@code src/test/js} that drive Debian's
 * headless Chromium (run with {@link #runScript}, each printing one JSON line of what it saw),
 * where screenshots go, a test clip, and the REST calls that prepare a node for them.
 */
final class BrowserTests {
    static final Path SCRIPTS = Path.of("src/test/js");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOTS = Path.of("target/screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private BrowserTests() {
    }

    /** Skips the test without Chromium or the scripts' libraries; otherwise makes room for screenshots. */
    static void assumeBrowser(String what) throws Exception {
        assumeTrue(Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core")) && Files.isExecutable(CHROMIUM),
                "install Debian's chromium and run 'npm ci' in app/src/test/js to test " + what + " in a browser");
        Files.createDirectories(SCREENSHOTS);
    }

    /** Runs {@code node script args…} and returns its last JSON line; fails with its output if it does not succeed in time. */
    static JsonNode runScript(String script, List<String> args, Map<String, String> env, Duration limit) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(SCRIPTS.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish: " + new String(p.getInputStream().readAllBytes()));
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no result from " + script + ": " + out));
        assertThat(p.exitValue()).as(out).isZero();
        return JSON.readTree(line);
    }

    /** A 1280×720 test pattern with a tone, H.264/AAC with a keyframe every 2 s; {@code extraVideoArgs} e.g. a bit rate. */
    static Path testClip(Ffmpeg ffmpeg, Path file, int seconds, String... extraVideoArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=" + seconds,
                "-f", "lavfi", "-i", "sine=duration=" + seconds, "-c:v", "libx264", "-preset", "ultrafast"));
        args.addAll(List.of(extraVideoArgs));
        args.addAll(List.of("-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart",
                file.toString()));
        ffmpeg.command("clip").args(args.toArray(String[]::new)).run();
        return file;
    }

    static JsonNode send(String method, String url, String token, String body, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    /** Puts a video's source in one request. */
    static void putSource(String base, String token, String videoId, Path file) throws Exception {
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/videos/" + videoId + "/source"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isBetween(200, 204);
    }

    static void awaitOk(String url, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        int status = -1;
        while (System.nanoTime() < deadline) {
            status = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " not served within " + limit + " (last status " + status + ")");
    }

    /** GETs {@code url} (with {@code token}, or none when null) until its JSON satisfies {@code done}. */
    static JsonNode awaitJson(String url, String token, java.util.function.Predicate<JsonNode> done, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            last = JSON.readTree(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(url + " not as expected within " + limit + ": " + last);
    }

    static void awaitReady(String url, String token, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode video = null;
        while (System.nanoTime() < deadline) {
            video = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
            if (List.of("ready", "failed").contains(video.get("status").asText())) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(video.get("status").asText()).as(String.valueOf(video)).isEqualTo("ready");
    }
}
