package io.castpipe.app;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The YouTube half as a user meets it, against {@code ./castpipe}: a resumable upload that is
 * cut off and resumed, the ladder made by the node's worker, and every rendition decoded by
 * ffmpeg from the origin's URL. Inputs that are not video end failed with a reason.
 */
class VodEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static CastpipeProcess node;
    private static Ffmpeg ffmpeg;
    private static Path dir;
    private static String base;
    private static String userToken;

    @BeforeAll
    static void start() throws Exception {
        dir = TestServices.tempDir("vod-e2e");
        node = CastpipeProcess.start(CastpipeProcess.freshNode(dir.resolve("data")));
        node.awaitHealthy(Duration.ofSeconds(30));
        base = "http://127.0.0.1:" + node.httpPort;
        String admin = node.stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
        JsonNode user = json(send("POST", "/api/users", admin, "{\"name\":\"uploader\"}"), 201);
        userToken = user.get("token").asText();
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() throws Exception {
        ffmpeg.close();
        node.terminate(Duration.ofSeconds(10));
        node.close();
    }

    @Test
    void anInterruptedTusUploadResumesAndEveryRenditionPlaysFromTheOrigin() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        ffmpeg.command("clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=10",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip.toString()).run();
        byte[] bytes = Files.readAllBytes(clip);

        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads"))
                .header("Authorization", "Bearer " + userToken).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", String.valueOf(bytes.length))
                .header("Upload-Metadata", "filename " + b64("clip.mp4") + ",title " + b64("Test clip"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        URI upload = URI.create(base).resolve(created.headers().firstValue("Location").orElseThrow());
        String videoId = created.headers().firstValue("Castpipe-Video-Id").orElseThrow();

        int first = bytes.length / 3;
        assertThat(TusRequests.patch(upload, userToken, 0, Arrays.copyOfRange(bytes, 0, first)).statusCode()).isEqualTo(204);
        // The connection drops partway through the second chunk.
        int sent = bytes.length / 3;
        interruptedPatch(upload, first, Arrays.copyOfRange(bytes, first, bytes.length), sent);
        long offset = TusRequests.offset(upload, userToken);
        assertThat(offset).isBetween((long) first, (long) first + sent);
        assertThat(TusRequests.patch(upload, userToken, offset, Arrays.copyOfRange(bytes, (int) offset, bytes.length)).statusCode()).isEqualTo(204);

        JsonNode video = awaitStatus(videoId, "ready", Duration.ofSeconds(120));
        assertThat(video.get("durationSeconds").asDouble()).isBetween(9.8, 10.2);
        JsonNode renditions = video.get("renditions");
        assertThat(renditions).hasSize(3);
        for (JsonNode r : renditions) {
            assertThat(r.get("height").asInt()).isLessThanOrEqualTo(720);
            String url = base + "/vod/" + videoId + "/" + r.get("name").asText() + "/index.m3u8";
            assertThat(decodedSeconds(url)).as(url).isBetween(9.8, 10.2);
        }
        assertThat(decodedSeconds(video.get("playbackUrl").asText().replaceFirst("^https?://[^/]+", base))).isBetween(9.8, 10.2);
    }

    @Test
    void anEmptyUploadIsRefusedAtOnceAndTheVideoStaysUploadable() throws Exception {
        String id = json(send("POST", "/api/videos", userToken, "{\"title\":\"empty\"}"), 201).get("id").asText();
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/videos/" + id + "/source"))
                .header("Authorization", "Bearer " + userToken)
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(put.body()).get("error").get("code").asText()).isEqualTo("empty_upload");
        assertThat(json(send("GET", "/api/videos/" + id, userToken, null), 200).get("status").asText()).isEqualTo("created");
    }

    @Test
    void corruptAndNonVideoUploadsEndFailedWithAReason() throws Exception {
        Map<String, byte[]> inputs = Map.of(
                "notes.txt", "these are my notes, not a video".getBytes(StandardCharsets.UTF_8),
                "corrupt.mp4", corruptMp4());
        for (var input : inputs.entrySet()) {
            JsonNode video = json(send("POST", "/api/videos", userToken, "{\"title\":\"" + input.getKey() + "\"}"), 201);
            String id = video.get("id").asText();
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/videos/" + id + "/source"))
                    .header("Authorization", "Bearer " + userToken)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(input.getValue())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isBetween(200, 204);
            JsonNode failed = awaitStatus(id, "failed", Duration.ofSeconds(60));
            assertThat(failed.get("error").get("message").asText()).as(input.getKey()).isNotBlank();
            System.out.println(input.getKey() + " -> " + failed.get("error"));
        }
    }

    /** A real MP4 with its middle overwritten by noise. */
    private static byte[] corruptMp4() throws Exception {
        Path f = dir.resolve("to-corrupt.mp4");
        ffmpeg.command("corrupt").args("-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", f.toString()).run();
        byte[] b = Files.readAllBytes(f);
        new java.util.Random(7).nextBytes(b);
        return b;
    }

    private static double decodedSeconds(String url) {
        AtomicLong lastMs = new AtomicLong();
        try {
            ffmpeg.command("decode").args("-v", "error", "-xerror", "-i", url, "-f", "null", "-")
                    .onProgress(p -> lastMs.set(p.outTime().toMillis())).run();
        } catch (FfmpegException e) {
            throw new AssertionError("decoding " + url + " failed: " + e.getMessage());
        }
        return lastMs.get() / 1000.0;
    }

    private static JsonNode awaitStatus(String id, String status, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode video = null;
        while (System.nanoTime() < deadline) {
            video = json(send("GET", "/api/videos/" + id, userToken, null), 200);
            String now = video.get("status").asText();
            if (now.equals(status)) {
                return video;
            }
            assertThat(now).as("video %s went %s while waiting for %s: %s", id, now, status, video)
                    .isNotIn(status.equals("failed") ? List.of("ready") : List.of("failed"));
            Thread.sleep(250);
        }
        throw new AssertionError("video " + id + " not " + status + " within " + limit + ": " + video + node.output());
    }

    /** Sends a PATCH announcing all of {@code body} but only {@code sent} bytes of it, then closes the connection. */
    private static void interruptedPatch(URI upload, long offset, byte[] body, int sent) throws Exception {
        try (Socket s = new Socket(upload.getHost(), upload.getPort())) {
            OutputStream out = s.getOutputStream();
            String head = "PATCH " + upload.getRawPath() + " HTTP/1.1\r\nHost: " + upload.getHost() + "\r\n"
                    + "Authorization: Bearer " + userToken + "\r\nTus-Resumable: 1.0.0\r\n"
                    + "Upload-Offset: " + offset + "\r\nContent-Type: application/offset+octet-stream\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, sent);
            out.flush();
            Thread.sleep(500);
        }
        Thread.sleep(500); // let the server notice the dropped connection
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
