package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Twitch half against {@code ./castpipe}: ffmpeg publishes over RTMP with a channel's key, the
 * channel's ladder appears on the origin while it is live and decodes, and after the end the
 * recording plays from start to end. A wrong key is refused.
 */
class LiveEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void anRtmpPublishBecomesALiveLadderThenARecording() throws Exception {
        Path dir = Files.createTempDirectory("castpipe-live-e2e");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        try (CastpipeProcess node = CastpipeProcess.start(env);
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(3))) {
            node.awaitHealthy(Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + node.httpPort;
            String admin = node.stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
            String user = post(base + "/api/users", admin, "{\"name\":\"streamer\"}").get("token").asText();
            JsonNode channel = post(base + "/api/channels", user, "{\"name\":\"frank-live\"}");
            String rtmp = "rtmp://127.0.0.1:" + env.get("CASTPIPE_RTMP_PORT") + "/live/";

            assertThatThrownBy(() -> ffmpeg.command("wrong-key").args(publish(rtmp + "live_not-the-key", 3)).run())
                    .isInstanceOf(FfmpegException.class);

            FfmpegJob publisher = ffmpeg.command("publish").args(publish(rtmp + channel.get("streamKey").asText(), 30)).start();
            String master = awaitBody(base + "/live/frank-live/master.m3u8", Duration.ofSeconds(30));
            assertThat(master).contains("720p/index.m3u8", "480p/index.m3u8", "360p/index.m3u8");
            for (String r : new String[] {"720p", "480p", "360p"}) {
                String playlist = awaitBody(base + "/live/frank-live/" + r + "/index.m3u8", Duration.ofSeconds(20));
                assertThat(playlist).contains("#EXT-X-PROGRAM-DATE-TIME:").doesNotContain("#EXT-X-ENDLIST");
            }
            assertThat(decodedSeconds(ffmpeg, base + "/live/frank-live/480p/index.m3u8", 4)).isGreaterThanOrEqualTo(3.5);
            JsonNode live = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(live.findValuesAsText("channel")).contains("frank-live");
            String streamId = live.findValuesAsText("streamId").get(live.findValuesAsText("channel").indexOf("frank-live"));

            publisher.await();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String last = "";
            while (System.nanoTime() < deadline && !last.contains("#EXT-X-ENDLIST")) {
                Thread.sleep(250);
                last = awaitBody(base + "/live/frank-live/360p/index.m3u8", Duration.ofSeconds(5));
            }
            assertThat(last).contains("#EXT-X-ENDLIST");
            assertThat(decodedSeconds(ffmpeg, base + "/live/frank-live/360p/vod.m3u8", 0)).isBetween(29.0, 31.0);

            // Live → VOD: the broadcast is now a video of the channel, playable from start to end.
            JsonNode video = null;
            long videoDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < videoDeadline) {
                video = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/videos/" + streamId)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                if (video.has("status") && video.get("status").asText().equals("ready")) {
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(video.get("status").asText()).as(String.valueOf(video)).isEqualTo("ready");
            assertThat(video.get("title").asText()).startsWith("frank-live — live ");
            assertThat(video.get("renditions")).hasSize(3);
            assertThat(decodedSeconds(ffmpeg, base + "/vod/" + streamId + "/master.m3u8", 0)).isBetween(29.0, 31.0);
            node.terminate(Duration.ofSeconds(10));
        }
    }

    static java.util.List<String> publish(String url, int seconds) {
        return java.util.List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i",
                "sine=frequency=440", "-t", String.valueOf(seconds), "-c:v", "libx264", "-preset", "veryfast",
                "-tune", "zerolatency", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-f", "flv", url);
    }

    private static double decodedSeconds(Ffmpeg ffmpeg, String url, int limitSeconds) {
        AtomicLong ms = new AtomicLong();
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("-v", "error", "-xerror", "-i", url));
        if (limitSeconds > 0) {
            a.addAll(java.util.List.of("-t", String.valueOf(limitSeconds)));
        }
        a.addAll(java.util.List.of("-f", "null", "-"));
        ffmpeg.command("decode").args(a).onProgress(p -> ms.set(p.outTime().toMillis())).run();
        return ms.get() / 1000.0;
    }

    static JsonNode post(String url, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    static String awaitBody(String url, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpResponse<String> r = null;
        while (System.nanoTime() < deadline) {
            r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " not served within " + limit + ": " + (r == null ? "-" : r.statusCode() + " " + r.body()));
    }
}
