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
 * playlists play no part in the figure, so both are measured the same way. Optionally another
 * process keeps one core busy for the first half of the rounds; the table then gives each round
 * with the ladder's preset meanwhile, as the node's API said it.
 */
public final class LiveLatencyBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "latency";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String latency = args.length > 2 ? args[2] : "low";
        String publisherPreset = args.length > 3 ? args[3] : "veryfast";
        boolean busy = args.length > 4 && args[4].equals("busy");
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
            FfmpegJob publisher = publish(ffmpeg, publisherPreset, castpipe.rtmpUrl(channel.get("streamKey").asText()),
                    nginx.rtmpUrl("bench"));
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
            System.out.printf("both live; hls.js plays each for %d s per round, %d rounds%s…%n", seconds, rounds,
                    busy ? ", one core kept busy by another process for the first half" : "");
            JsonNode result;
            long origin = System.currentTimeMillis();
            try (LadderTimeline ladder = new LadderTimeline(castpipe, CHANNEL);
                 CoreBurner burner = busy ? CoreBurner.start(halfTheRounds(seconds, rounds)) : null) {
                result = measure(client, seconds, rounds, playerConfig(latency),
                        List.of("castpipe=" + castpipeUrl, "nginx-rtmp=" + nginxUrl));
                camera.interrupt();
                publisher.kill("measured");
                report(result, served + ", publisher x264 " + publisherPreset);
                rounds(result.get("castpipe"), seconds, ladder, burner, origin);
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** How long half the rounds take: each plays both servers after the player's warm-up, and loads a page. */
    private static Duration halfTheRounds(int seconds, int rounds) {
        return Duration.ofSeconds((long) (rounds / 2) * 2 * (seconds + 6));
    }

    /** Castpipe round by round: when it began, whether the core was busy, its figures, and the ladder meanwhile. */
    private static void rounds(JsonNode ours, int seconds, LadderTimeline ladder, CoreBurner burner, long origin) {
        System.out.println();
        System.out.println("| round | began | other process busy | p50 s | p90 s | max s | stalls | Castpipe's ladder |");
        System.out.println("| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |");
        int n = 0;
        for (JsonNode r : ours.get("rounds")) {
            long at = r.get("at").asLong();
            long end = at + (seconds + 6) * 1000L;
            String busy = burner == null ? "no" : burner.busyBetween(at, end) ? "yes" : "no";
            System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %d | %s |%n", ++n, LadderTimeline.at(at, origin),
                    busy, seconds(r.get("p50")), seconds(r.get("p90")), seconds(r.get("max")), r.get("stalls").asInt(),
                    ladder.during(at, end));
        }
        System.out.println();
        if (burner != null) {
            System.out.printf("the other process: busy from %s to %s%n", LadderTimeline.at(burner.startedAt(), origin),
                    LadderTimeline.at(burner.stoppedAt(), origin));
        }
        for (LadderTimeline.Change c : ladder.changes()) {
            System.out.printf(Locale.ROOT, "ladder at %s: %s (%.1f s behind)%n", LadderTimeline.at(c.epochMs(), origin),
                    c.describe(), c.behindSeconds());
        }
        System.out.printf(Locale.ROOT, "the ladder was at most %.1f s behind its input%n", ladder.mostBehind());
    }

    /** One x264 encode of the stamped picture (1 s keyframes, as nginx-rtmp's 1 s fragments need) sent to both servers. */
    private static FfmpegJob publish(Ffmpeg ffmpeg, String preset, String castpipe, String nginx) {
        return ffmpeg.command("publisher").withStdin().args(
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", StampedFrames.WIDTH + "x" + StampedFrames.HEIGHT,
                "-framerate", String.valueOf(StampedFrames.FPS), "-i", "pipe:0",
                "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-map", "0:v", "-map", "1:a",
                "-c:v", "libx264", "-preset", preset, "-tune", "zerolatency", "-b:v", "3000k",
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

    /**
     * The hls.js settings Castpipe's own player uses for a channel of this latency mode (catching
     * up at up to 1.5× speed on a low-latency channel), given to every player, nginx-rtmp's too.
     */
    private static String playerConfig(String latency) {
        return "low".equals(latency) ? "{\"maxLiveSyncPlaybackRate\":1.5}" : "{}";
    }

    private static JsonNode measure(Path client, int seconds, int rounds, String hlsConfig, List<String> targets)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "glass-to-glass.mjs", String.valueOf(seconds), String.valueOf(rounds)));
        command.addAll(targets);
        System.out.println("hls.js settings for both servers: " + hlsConfig);
        ProcessBuilder pb = new ProcessBuilder(command).directory(client.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("HLS_CONFIG", hlsConfig);
        Process p = pb.start();
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
