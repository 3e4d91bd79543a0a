package io.castpipe.bench.live;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;

/**
 * Glass-to-glass latency of live HLS in hls.js, Castpipe beside nginx-rtmp, in one run:
 * one publisher encodes a wall-clock-stamped 720p30 picture once and pushes the same RTMP
 * stream to both servers (ffmpeg's tee muxer); Castpipe transcodes its ladder, nginx-rtmp
 * repackages the source into 1 s HLS fragments. hls.js in headless Chromium then plays each in
 * turn, for several rounds, and reads the capture time back from the picture on screen (see
 * {@code glass-to-glass.mjs} in the browser client folder). The servers' own clocks and
 * playlists play no part in the figure, so both are measured the same way.
 */
public final class LiveLatencyBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "latency";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String latency = args.length > 2 ? args[2] : "low";
        Path home = Path.of(System.getProperty("castpipe.home", ".")).toAbsolutePath().normalize();
        Path client = home.resolve("app/src/test/js");
        if (!Files.isDirectory(client.resolve("node_modules/playwright-core"))) {
            throw new IllegalStateException("run 'npm ci' in app/src/test/js first (hls.js and playwright-core)");
        }
        String segment = System.getenv().getOrDefault("CASTPIPE_LIVE_SEGMENT_SECONDS", "1");
        String partMs = System.getenv().getOrDefault("CASTPIPE_LIVE_PART_MS", "333");
        Path dir = Files.createTempDirectory("castpipe-latency");
        String served = latency + "-latency channel, " + segment + " s fMP4 segments"
                + ("low".equals(latency) && !"0".equals(partMs) ? ", LL-HLS parts of " + partMs + " ms" : ", no parts");
        System.out.printf("starting nginx-rtmp and ./castpipe (%s)…%n", served);
        try (NginxRtmp nginx = NginxRtmp.start(dir.resolve("nginx"));
             CastpipeNode castpipe = CastpipeNode.start(home, Files.createDirectories(dir.resolve("castpipe")),
                     Map.of("CASTPIPE_LIVE_SEGMENT_SECONDS", segment, "CASTPIPE_LIVE_PART_MS", partMs));
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofHours(2))) {
            JsonNode channel = castpipe.createChannel(CHANNEL, latency);
            FfmpegJob publisher = publish(ffmpeg, castpipe.rtmpUrl(channel.get("streamKey").asText()), nginx.rtmpUrl("bench"));
            Thread camera = new Thread(() -> {
                try {
                    new StampedFrames().stream(publisher.stdin());
                } catch (java.io.IOException e) {
                    System.err.println("publisher input closed: " + e.getMessage());
                }
            }, "camera");
            camera.setDaemon(true);
            camera.start();

            String castpipeUrl = castpipe.url("/live/" + CHANNEL + "/master.m3u8");
            String nginxUrl = nginx.playlistUrl("bench");
            // Viewers who join in the first seconds of a broadcast are not the subject: start once
            // both servers have filled a playlist window and settled into their steady state.
            awaitSegments(castpipe.url("/live/" + CHANNEL + "/360p/index.m3u8"), 6, Duration.ofSeconds(90));
            awaitSegments(nginxUrl, 5, Duration.ofSeconds(90));
            Thread.sleep(5000);
            System.out.printf("both live; hls.js plays each for %d s per round, %d rounds…%n", seconds, rounds);
            JsonNode result = measure(client, seconds, rounds, List.of("castpipe=" + castpipeUrl, "nginx-rtmp=" + nginxUrl));
            camera.interrupt();
            publisher.kill("measured");
            report(result, served);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One x264 encode of the stamped picture (1 s keyframes, as nginx-rtmp's 1 s fragments need) sent to both servers. */
    private static FfmpegJob publish(Ffmpeg ffmpeg, String castpipe, String nginx) {
        return ffmpeg.command("publisher").withStdin().args(
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", StampedFrames.WIDTH + "x" + StampedFrames.HEIGHT,
                "-framerate", String.valueOf(StampedFrames.FPS), "-i", "pipe:0",
                "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-map", "0:v", "-map", "1:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-b:v", "3000k",
                "-g", String.valueOf(StampedFrames.FPS), "-keyint_min", String.valueOf(StampedFrames.FPS),
                "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
                "-flags", "+global_header",
                "-f", "tee", "[f=flv:onfail=ignore]" + castpipe + "|[f=flv:onfail=ignore]" + nginx).start();
    }

    private static void awaitSegments(String playlist, int segments, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (CastpipeNode.body(playlist).lines().filter(l -> l.startsWith("#EXTINF")).count() < segments) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(playlist + " did not list " + segments + " segments within " + limit);
            }
            Thread.sleep(250);
        }
    }

    private static JsonNode measure(Path client, int seconds, int rounds, List<String> targets) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "glass-to-glass.mjs", String.valueOf(seconds), String.valueOf(rounds)));
        command.addAll(targets);
        Process p = new ProcessBuilder(command).directory(client.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor((long) seconds * rounds * targets.size() + 300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("glass-to-glass.mjs failed: " + out);
        }
        return JSON.readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
    }

    private static void report(JsonNode r, String served) {
        JsonNode ours = r.get("castpipe");
        JsonNode peer = r.get("nginx-rtmp");
        System.out.println();
        System.out.println("| server | what it serves | p50 s | p90 s | min s | max s | samples | unreadable | stalls | vs Castpipe (p50) |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        row("Castpipe", "3-rung transcoded ladder, " + served, ours, ours);
        row("nginx-rtmp", "source repackaged, 1 s TS fragments", peer, ours);
        System.out.printf(Locale.ROOT, "%nCastpipe now − hls.js playingDate (program date time): p50 %s s, p90 %s s%n",
                seconds(ours.get("pdtP50")), seconds(ours.get("pdtP90")));
        System.out.println("hls.js levels: Castpipe " + ours.get("levels") + ", nginx-rtmp " + peer.get("levels")
                + "; time to first frame (ms): Castpipe " + ours.get("startMs") + ", nginx-rtmp " + peer.get("startMs"));
    }

    private static void row(String name, String what, JsonNode n, JsonNode base) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d | %d | %d | %.2f× |%n", name, what,
                seconds(n.get("p50")), seconds(n.get("p90")), seconds(n.get("min")), seconds(n.get("max")),
                n.get("samples").asInt(), n.get("unreadable").asInt(), n.get("stalls").asInt(),
                n.get("p50").asDouble() / base.get("p50").asDouble());
    }

    private static String seconds(JsonNode ms) {
        return ms == null || ms.isNull() ? "–" : String.format(Locale.ROOT, "%.2f", ms.asDouble() / 1000);
    }
}
