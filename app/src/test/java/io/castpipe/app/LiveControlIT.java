package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.ffmpeg.FfmpegResult;
import org.junit.jupiter.api.Test;

import static io.castpipe.app.BrowserTests.awaitJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live control against {@code ./castpipe}: ffmpeg publishes with a channel's key; the owner rotates
 * the key through the API and at once publishes with the new one: the publish with the old key
 * ends (the encoder told why, ENDED with {@code key_rotated}) and the new one is accepted; then the
 * owner ends that stream through {@code POST /api/streams/{id}/end}. Setup waits generously; the figures that matter —
 * from the rotation or the end request to the stream's ENDED, and from the rotation to the new
 * publish's STARTED, both stamped by ingest — are printed and held to 2 s.
 */
class LiveControlIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration BOUND = Duration.ofSeconds(2);

    @Test
    void aRotatedKeyEndsTheLivePublishTheNewKeyGoesLiveAndTheOwnerEndsIt() throws Exception {
        Path dir = TestServices.tempDir("live-control");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        env.put("CASTPIPE_VOD_WORKERS", "0");
        env.put("CASTPIPE_LIVE_TRANSCODE", "false"); // what is measured here is ingest's, not the ladder's
        try (CastpipeProcess node = CastpipeProcess.start(env);
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(3))) {
            node.awaitHealthy(Duration.ofSeconds(120));
            String base = "http://127.0.0.1:" + node.httpPort;
            String admin = node.stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
            String owner = LiveEndToEndIT.post(base + "/api/users", admin, "{\"name\":\"kim\"}").get("token").asText();
            String stranger = LiveEndToEndIT.post(base + "/api/users", admin, "{\"name\":\"lou\"}").get("token").asText();
            String oldKey = LiveEndToEndIT.post(base + "/api/channels", owner, "{\"name\":\"kim-live\"}").get("streamKey").asText();
            String rtmp = "rtmp://127.0.0.1:" + env.get("CASTPIPE_RTMP_PORT") + "/live/";

            CompletableFuture<FfmpegResult> first = CompletableFuture.supplyAsync(
                    () -> ffmpeg.command("publish-old-key").args(publish(rtmp + oldKey)).start().await());
            String firstId = liveStream(base, "kim-live", null, Duration.ofSeconds(60));

            // The owner rotates the key and publishes with the new one straight away.
            Instant rotated = Instant.now();
            HttpResponse<String> rotation = send(base + "/api/channels/kim-live/stream-key", owner);
            assertThat(rotation.statusCode()).as(rotation.body()).isEqualTo(200);
            String newKey = JSON.readTree(rotation.body()).get("streamKey").asText();
            Instant secondLaunched = Instant.now();
            CompletableFuture<FfmpegResult> second = CompletableFuture.supplyAsync(
                    () -> ffmpeg.command("publish-new-key").args(publish(rtmp + newKey)).start().await());

            JsonNode firstEnded = awaitJson(base + "/api/streams/" + firstId, owner, j -> j.path("status").asText().equals("ended"),
                    Duration.ofSeconds(20));
            Duration toEnded = Duration.between(rotated, Instant.parse(firstEnded.get("endedAt").asText()));
            Duration toEndedSeen = Duration.between(rotated, Instant.now());
            assertThat(firstEnded.get("endReason").asText()).isEqualTo("key_rotated");
            assertThat(failure(first)).contains("Server error: the channel's stream key was changed; publish with the new key");

            String secondId = liveStream(base, "kim-live", firstId, Duration.ofSeconds(30));
            JsonNode secondLive = awaitJson(base + "/api/streams/" + secondId, owner, j -> j.path("status").asText().equals("live"),
                    Duration.ofSeconds(10));
            Instant secondStarted = Instant.parse(secondLive.get("startedAt").asText());
            Duration toNewLive = Duration.between(rotated, secondStarted);
            Duration ffmpegToLive = Duration.between(secondLaunched, secondStarted);
            assertThat(liveStreams(base)).doesNotContain(firstId);
            boolean takenOver = node.stdoutText().contains("taken over from stream " + firstId);

            // Only the owner (or the admin) may end it.
            assertThat(send(base + "/api/streams/" + secondId + "/end", stranger).statusCode()).isEqualTo(403);
            Instant endAsked = Instant.now();
            HttpResponse<String> end = send(base + "/api/streams/" + secondId + "/end", owner);
            assertThat(end.statusCode()).as(end.body()).isEqualTo(202);
            assertThat(JSON.readTree(end.body()).get("status").asText()).isEqualTo("ending");
            JsonNode secondEnded = awaitJson(base + "/api/streams/" + secondId, owner, j -> j.path("status").asText().equals("ended"),
                    Duration.ofSeconds(20));
            Duration endToEnded = Duration.between(endAsked, Instant.parse(secondEnded.get("endedAt").asText()));
            Duration endToEndedSeen = Duration.between(endAsked, Instant.now());
            assertThat(secondEnded.get("endReason").asText()).isEqualTo("ended_by_owner");
            assertThat(failure(second)).contains("Server error: the channel's owner ended this stream");
            HttpResponse<String> again = send(base + "/api/streams/" + secondId + "/end", owner);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(again.body()).contains("not_live");
            assertThat(liveStreams(base)).isEmpty();

            System.out.printf("LiveControlIT: rotation → old publish ENDED %d ms (seen in the API after %d ms; ended by %s);"
                            + " rotation → new-key publish STARTED %d ms (%d ms after its ffmpeg was launched);"
                            + " end request → ENDED %d ms (seen in the API after %d ms)%n",
                    toEnded.toMillis(), toEndedSeen.toMillis(), takenOver ? "the new publish taking over" : "the order",
                    toNewLive.toMillis(), ffmpegToLive.toMillis(), endToEnded.toMillis(), endToEndedSeen.toMillis());
            assertThat(toEnded).as("rotation to the old publish's ENDED").isLessThanOrEqualTo(BOUND);
            assertThat(toNewLive).as("rotation to the new-key publish's STARTED").isLessThanOrEqualTo(BOUND);
            assertThat(endToEnded).as("end request to ENDED").isLessThanOrEqualTo(BOUND);
            node.terminate(Duration.ofSeconds(10));
        }
    }

    /** A light publish (the node transcodes nothing here) of up to two minutes. */
    private static List<String> publish(String url) {
        return List.of("-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi",
                "-i", "sine", "-t", "120", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", url);
    }

    /** What ffmpeg printed when the server ended its publish; fails when it ended otherwise. */
    private static String failure(CompletableFuture<FfmpegResult> publish) throws Exception {
        try {
            publish.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(FfmpegException.class);
            return String.join("\n", ((FfmpegException) e.getCause()).stderrTail());
        }
        throw new AssertionError("the publish ended without an error");
    }

    /** The id of the channel's stream in /api/live other than {@code except}, once there is one. */
    private static String liveStream(String base, String channel, String except, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode n : JSON.readTree(get(base + "/api/live").body())) {
                if (n.get("channel").asText().equals(channel) && !n.get("streamId").asText().equals(except)) {
                    return n.get("streamId").asText();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(channel + " not live within " + limit);
    }

    private static List<String> liveStreams(String base) throws Exception {
        return JSON.readTree(get(base + "/api/live").body()).findValuesAsText("streamId");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST without a body, as the rotation and the end take. */
    private static HttpResponse<String> send(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
