package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static io.castpipe.app.BrowserTests.awaitJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Twitch half against {@code ./castpipe}: ffmpeg publishes over RTMP with a channel's key, the
 * channel's ladder appears on the origin while it is live and decodes, three clients polling it
 * show as its viewers in /api/live, and after the end the recording plays from start to end.
 * While live, the API reports the figures ingest measured; a publisher with 5 s keyframes is
 * warned. A wrong key is refused.
 */
class LiveEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The video bit rate the publishers ask x264 for. */
    private static final int VIDEO_KBPS = 2500;

    @Test
    void anRtmpPublishBecomesALiveLadderThenARecording() throws Exception {
        Path dir = TestServices.tempDir("live-e2e");
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
            // Before any other request of a media playlist, so these three are the only viewers.
            long polling = System.nanoTime();
            assertThat(pollAsViewersUntil(base, "frank-live", 3, Duration.ofSeconds(20))).isEqualTo(3);
            System.out.printf("LiveEndToEndIT: 3 viewers in /api/live %d ms after they started polling%n",
                    Duration.ofNanos(System.nanoTime() - polling).toMillis());
            for (String r : new String[] {"720p", "480p", "360p"}) {
                String playlist = awaitBody(base + "/live/frank-live/" + r + "/index.m3u8", Duration.ofSeconds(20));
                assertThat(playlist).contains("#EXT-X-PROGRAM-DATE-TIME:").doesNotContain("#EXT-X-ENDLIST");
            }
            assertThat(decodedSeconds(ffmpeg, base + "/live/frank-live/480p/index.m3u8", 4)).isGreaterThanOrEqualTo(3.5);
            JsonNode live = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(live.findValuesAsText("channel")).contains("frank-live");
            String streamId = live.findValuesAsText("streamId").get(live.findValuesAsText("channel").indexOf("frank-live"));

            // What ingest measured of what ffmpeg was told to send: 1280x720, 30 fps, -g 30, 2500k video, 128k audio.
            JsonNode stream = awaitJson(base + "/api/streams/" + streamId, user,
                    j -> !j.path("ingest").path("keyframeIntervalSeconds").isNull(), Duration.ofSeconds(20));
            JsonNode figures = stream.get("ingest");
            System.out.println("ingest figures of 720p30 -g 30 -b:v " + VIDEO_KBPS + "k -b:a 128k: " + figures);
            assertThat(figures.get("fps").asDouble()).isBetween(27.0, 33.0);
            assertThat(figures.get("keyframeIntervalSeconds").asDouble()).isBetween(0.95, 1.05);
            assertThat(figures.get("maxKeyframeIntervalSeconds").asDouble()).isBetween(0.95, 1.05);
            assertThat(figures.get("videoBitrateKbps").asInt()).isBetween(VIDEO_KBPS * 6 / 10, VIDEO_KBPS * 14 / 10);
            // ffmpeg's AAC encoder spends fewer bits than -b:a on a pure tone: about 86 kbit/s of 128k, in a file too
            assertThat(figures.get("audioBitrateKbps").asInt()).isBetween(128 / 2, 128 * 12 / 10);
            assertThat(figures.get("width").asInt()).isEqualTo(1280);
            assertThat(figures.get("height").asInt()).isEqualTo(720);
            assertThat(figures.get("videoCodec").asText()).isEqualTo("h264");
            assertThat(stream.get("warnings")).as("1 s keyframes fit the 1 s segments").isEmpty();

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

            // Keyframes every 5 s do not fit 1 s segments: the streamer is told what to set.
            FfmpegJob sparse = ffmpeg.command("publish-g150")
                    .args(publish(rtmp + channel.get("streamKey").asText(), 14, "640x360", 150)).start();
            JsonNode second = awaitJson(base + "/api/live", null, j -> j.findValuesAsText("channel").contains("frank-live")
                    && !j.findValuesAsText("streamId").contains(streamId), Duration.ofSeconds(15));
            String secondId = second.findValuesAsText("streamId").get(second.findValuesAsText("channel").indexOf("frank-live"));
            JsonNode warned = awaitJson(base + "/api/streams/" + secondId, user,
                    j -> !j.path("ingest").path("keyframeIntervalSeconds").isNull(), Duration.ofSeconds(25));
            System.out.println("ingest figures of 360p30 -g 150: " + warned.get("ingest") + " warnings " + warned.get("warnings"));
            assertThat(warned.get("ingest").get("keyframeIntervalSeconds").asDouble()).isBetween(4.95, 5.05);
            assertThat(warned.get("warnings").findValuesAsText("code")).containsExactly("keyframe_interval");
            assertThat(warned.get("warnings").get(0).get("message").asText()).contains("Keyframe Interval = 1 s");
            sparse.await();
            node.terminate(Duration.ofSeconds(10));
        }
    }

    /**
     * Three clients (distinct User-Agents) poll the channel's 480p playlist every second, as hls.js
     * does every target duration, until /api/live shows {@code expected} viewers or time is up;
     * returns the channel's last viewer count.
     */
    private static int pollAsViewersUntil(String base, String channel, int expected, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        int viewers = -1;
        while (System.nanoTime() < deadline) {
            for (int i = 1; i <= 3; i++) {
                HTTP.send(HttpRequest.newBuilder(URI.create(base + "/live/" + channel + "/480p/index.m3u8"))
                        .header("User-Agent", "viewer-" + i).build(), HttpResponse.BodyHandlers.discarding());
            }
            JsonNode live = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode n : live) {
                if (n.get("channel").asText().equals(channel)) {
                    viewers = n.get("viewers").asInt();
                }
            }
            if (viewers == expected) {
                break;
            }
            Thread.sleep(1000);
        }
        return viewers;
    }

    static java.util.List<String> publish(String url, int seconds) {
        return publish(url, seconds, "1280x720", 30);
    }

    private static java.util.List<String> publish(String url, int seconds, String size, int gop) {
        return java.util.List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-f", "lavfi", "-i",
                "sine=frequency=440", "-t", String.valueOf(seconds), "-c:v", "libx264", "-preset", "veryfast",
                "-tune", "zerolatency", "-g", String.valueOf(gop), "-b:v", VIDEO_KBPS + "k", "-maxrate", VIDEO_KBPS + "k",
                "-bufsize", VIDEO_KBPS + "k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-f", "flv", url);
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
