package io.castpipe.bench.chaos;

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
import java.util.Optional;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.bench.ScratchDirectory;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;

/**
 * {@code bench/run chaos [minutes] [seed]}: the three journeys (a streamer on air, uploads, a
 * chat) run against the roles as separate processes while random faults are caused one after
 * another — Kafka, S3 or the database stopped for 10–30 s, or one role process SIGKILLed and
 * started again. After each fault it measures the time until every process is ready again,
 * a chat message makes its round trip and the origin serves a live playlist with a recent
 * segment. At the end it counts what the guarantees promise: no accepted upload lost or
 * transcoded twice, no confirmed chat message lost.
 */
public final class ChaosBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.currentTimeMillis();
        Path home = Path.of(System.getProperty("castpipe.home", ".")).toAbsolutePath().normalize();
        Random random = new Random(seed);
        System.out.printf("chaos for %d minutes, seed %d; starting the roles as separate processes…%n", minutes, seed);
        try (ScratchDirectory scratch = new ScratchDirectory("castpipe-chaos");
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), scratch.path), Duration.ofHours(12));
             Cluster cluster = new Cluster(home, scratch.path.resolve("cluster"))) {
            cluster.start();
            String user = post(cluster.api("/api/users"), Cluster.ADMIN, "{\"name\":\"chaos\"}").get("token").asText();
            String streamKey = post(cluster.api("/api/channels"), user, "{\"name\":\"chaos\"}").get("streamKey").asText();
            String chatToken = post(cluster.api("/api/chat/token"), user, "{\"channel\":\"chaos\"}").get("token").asText();
            Path clip = scratch.path.resolve("clip.mp4");
            ffmpeg.command("clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-f", "lavfi",
                    "-i", "sine=frequency=440:duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", clip.toString()).run();

            List<Fault.Outcome> outcomes = new ArrayList<>();
            try (LiveJourney live = new LiveJourney(ffmpeg, "rtmp://127.0.0.1:" + cluster.rtmpPort + "/live/" + streamKey,
                    cluster::origin, "chaos");
                 UploadJourney uploads = new UploadJourney(cluster::api, user, Files.readAllBytes(clip));
                 ChatJourney chat = new ChatJourney(cluster.chatPort, "chaos", chatToken)) {
                live.start();
                uploads.start();
                chat.start();
                Duration warmUp = awaitRecovered(cluster, chat, live, RECOVERY_LIMIT);
                System.out.printf("all journeys running after %.1f s; faults begin%n", warmUp.toMillis() / 1000.0);
                long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(Duration.ofSeconds(15 + random.nextInt(16)).toMillis());
                    Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                    Duration away = Duration.ofSeconds(10 + random.nextInt(21));
                    boolean noticed = fault.cause(cluster, away, random);
                    Duration recovery = awaitRecovered(cluster, chat, live, RECOVERY_LIMIT);
                    Fault.Outcome outcome = new Fault.Outcome(fault, away, noticed, recovery);
                    outcomes.add(outcome);
                    System.out.println("  " + outcome);
                }
                uploads.close();
                chat.close();
                live.close();
                System.out.println("faults over; waiting for every accepted upload to settle…");
                Map<String, String> videos = uploads.settle(Duration.ofMinutes(10));
                String transcoderLogs = cluster.logs(Cluster.Role.TRANSCODER_1) + cluster.logs(Cluster.Role.TRANSCODER_2);
                ChaosReport.print(minutes, seed, outcomes, videos, uploads.refused(), transcoderLogs, chat, live);
            }
        }
    }

    /** From now until every process is ready, a chat message makes its round trip and the live playlist is fresh. */
    private static Duration awaitRecovered(Cluster cluster, ChatJourney chat, LiveJourney live, Duration limit)
            throws InterruptedException {
        long start = System.nanoTime();
        int probe = 0;
        while (System.nanoTime() - start < limit.toNanos()) {
            if (cluster.notReady().isEmpty() && live.fresh() && chat.roundTrip("probe " + probe++)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(250);
        }
        return null;
    }

    private static JsonNode post(String url, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + url + " → " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
