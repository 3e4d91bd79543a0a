package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TopologyIT}'s streamer, viewer, chat and upload through nginx, each as its user goes about it. */
final class TopologyJourneys {
    static final String CHANNEL = "topology";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final DeployedTopology topology;
    private final Ffmpeg ffmpeg;
    private final Path work;
    private final String admin;
    private String userToken;
    private String streamKey;
    private String chatToken;
    private Thread streamer;
    private Thread viewer;
    private Thread uploader;
    /** When the viewer fetched each new live segment (nanoTime). */
    private final List<Long> segmentTimes = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Streams whose ingest was killed: each must still become a recording. */
    final List<String> recordings = new ArrayList<>();
    private final AtomicLong segmentsFetched = new AtomicLong();
    private final AtomicLong segmentErrors = new AtomicLong();
    private final AtomicReference<String> videoId = new AtomicReference<>();
    private final AtomicReference<Throwable> uploadFailure = new AtomicReference<>();
    private final AtomicLong uploadResumes = new AtomicLong();
    private ChatSocket chat;
    private final List<String> sent = new ArrayList<>();
    private final List<String> confirmed = new ArrayList<>();
    private final List<String> unconfirmedAtClose = new ArrayList<>();
    private final List<String> lost = new ArrayList<>();
    private int chatReconnects;

    TopologyJourneys(DeployedTopology topology, Ffmpeg ffmpeg, Path work) throws Exception {
        this.topology = topology;
        this.ffmpeg = ffmpeg;
        this.work = work;
        this.admin = topology.adminToken();
    }

    void begin() throws Exception {
        userToken = JSON.readTree(send("POST", "/api/users", admin, "{\"name\":\"topology\"}", 201)).get("token").asText();
        streamKey = JSON.readTree(send("POST", "/api/channels", userToken, "{\"name\":\"" + CHANNEL + "\"}", 201))
                .get("streamKey").asText();
        JsonNode token = JSON.readTree(send("POST", "/api/chat/token", userToken, "{\"channel\":\"" + CHANNEL + "\"}", 200));
        chatToken = token.get("token").asText();
        assertThat(token.get("chatUrl").asText()).as("browsers are sent to nginx for chat")
                .isEqualTo("ws://127.0.0.1:" + topology.cdnPort + "/chat/" + CHANNEL);
        chat = joinChat();
        streamer = daemon("streamer", this::stream);
        viewer = daemon("viewer", this::watch);
        awaitNewStream(null, Duration.ofMinutes(2));
        awaitPlaying(System.nanoTime(), System.nanoTime(), Duration.ofMinutes(2));
        byte[] source = clip();
        uploader = daemon("uploader", () -> upload(source));
        // The api is killed with the upload under way.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (videoId.get() == null && uploadFailure.get() == null) {
            assertThat(System.nanoTime()).as("the upload started").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** As OBS does: publishes, and connects again a second after the connection dropped. */
    private void stream() {
        while (!Thread.currentThread().isInterrupted()) {
            FfmpegJob job = ffmpeg.command("publish-topology").args("-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "900", "-c:v", "libx264", "-preset", "ultrafast",
                    "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv",
                    topology.rtmp(streamKey)).start();
            try {
                job.await();
            } catch (RuntimeException dropped) {
                job.kill("dropped");
            }
            if (!pause(1000)) {
                return;
            }
        }
    }

    /**
     * A player without LL-HLS: reloads the 360p playlist through nginx every second and fetches
     * each new segment; the stream is live while the playlist is fresh and not ended.
     */
    private void watch() {
        String playlist = topology.cdn("/live/" + CHANNEL + "/360p/index.m3u8");
        String newest = null;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                HttpResponse<String> r = get(playlist);
                List<String> lines = r.statusCode() == 200 ? r.body().lines().toList() : List.of();
                List<String> segments = lines.stream().filter(l -> l.endsWith(".m4s")).toList();
                List<String> dates = lines.stream().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:")).toList();
                boolean fresh = !dates.isEmpty() && !lines.contains("#EXT-X-ENDLIST") && Duration.between(
                        Instant.parse(dates.get(dates.size() - 1).substring(25).trim()), Instant.now()).toSeconds() < 10;
                if (fresh && !segments.isEmpty() && !segments.get(segments.size() - 1).equals(newest)) {
                    newest = segments.get(segments.size() - 1);
                    int status = get(URI.create(playlist).resolve(newest).toString()).statusCode();
                    (status == 200 ? segmentsFetched : segmentErrors).incrementAndGet();
                    if (status == 200) {
                        segmentTimes.add(System.nanoTime());
                    }
                }
            } catch (Exception e) {
                segmentErrors.incrementAndGet();
            }
            if (!pause(1000)) {
                return;
            }
        }
    }

    /**
     * Waits until the viewer has fetched three new segments after {@code from}; returns the
     * longest it waited between two segments from the last one before {@code killed} on.
     */
    double awaitPlaying(long killed, long from, Duration longestGap) throws Exception {
        long deadline = killed + longestGap.toNanos() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<Long> times;
            synchronized (segmentTimes) {
                times = List.copyOf(segmentTimes);
            }
            if (times.stream().filter(t -> t > from).count() >= 3) {
                long longest = 0;
                long previous = times.stream().filter(t -> t <= killed).reduce((a, b) -> b).orElse(killed);
                for (long t : times) {
                    if (t > previous) {
                        longest = Math.max(longest, t - previous);
                        previous = t;
                    }
                }
                assertThat(Duration.ofNanos(longest)).as("the longest wait for a live segment through nginx")
                        .isLessThanOrEqualTo(longestGap);
                return longest / 1e9;
            }
            assertThat(System.nanoTime()).as("live through nginx again; ingest log:%n%s", tail(topology.log("ingest")))
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The stream now live on the channel, as /api/live lists it (null if none). */
    String liveStream() throws Exception {
        for (JsonNode s : JSON.readTree(send("GET", "/api/live", null, null, 200))) {
            if (s.get("channel").asText().equals(CHANNEL)) {
                return s.get("streamId").asText();
            }
        }
        return null;
    }

    void awaitNewStream(String before, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String now = liveStream();
        while (now == null || now.equals(before)) {
            assertThat(System.nanoTime()).as("a new stream after the streamer reconnected").isLessThan(deadline);
            Thread.sleep(500);
            now = liveStream();
        }
    }

    /** A tus upload through nginx in small pieces, resumed from the server's offset whenever a piece fails. */
    private void upload(byte[] source) {
        try {
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(topology.cdn("/api/uploads")))
                    .header("Authorization", "Bearer " + userToken).header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", String.valueOf(source.length))
                    .header("Upload-Metadata", "title " + java.util.Base64.getEncoder().encodeToString("topology".getBytes()))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            URI upload = URI.create(topology.cdn("/")).resolve(created.headers().firstValue("Location").orElseThrow());
            videoId.set(created.headers().firstValue("Castpipe-Video-Id").orElseThrow());
            long offset = 0;
            int piece = 64 << 10;
            while (offset < source.length) {
                byte[] body = Arrays.copyOfRange(source, (int) offset, (int) Math.min(source.length, offset + piece));
                int status;
                try {
                    status = TusRequests.patch(upload, userToken, offset, body).statusCode();
                } catch (java.io.IOException e) {
                    status = 0;
                }
                if (status == 204) {
                    offset += body.length;
                    Thread.sleep(250);
                    continue;
                }
                uploadResumes.incrementAndGet();
                offset = resumeOffset(upload);
            }
        } catch (Throwable e) {
            uploadFailure.set(e);
        }
    }

    private long resumeOffset(URI upload) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Thread.sleep(1000);
            try {
                return TusRequests.offset(upload, userToken);
            } catch (java.io.IOException | AssertionError e) {
                assertThat(System.nanoTime()).as("the upload's offset answered again").isLessThan(deadline);
            }
        }
    }

    /**
     * Says a message in the room through nginx, as a chat page does: a connection that closed
     * is joined again first. A send that fails leaves the message unconfirmed, which the sender sees.
     */
    void chat(String text) throws Exception {
        if (chat.closed()) {
            settleChat();
            chat = joinChat();
            chatReconnects++;
        }
        sent.add(text);
        try {
            chat.say(text);
        } catch (Exception brokenUnderIt) {
            // the connection is closing; its messages are settled when it has
        }
    }

    /**
     * Waits until what was said on the open connection came back: a message said the moment
     * before its chat node is SIGKILLed may die unconfirmed with it, as it should, and one
     * said before a kill is meant to be seen.
     */
    void awaitChatEchoed() throws InterruptedException {
        try {
            chat.await("every message back", Duration.ofSeconds(10), c -> c.closed() || c.frames("message").stream()
                    .map(f -> f.path("text").asText()).toList().containsAll(sent));
        } catch (AssertionError e) {
            // what did not come back is counted when the connection is settled
        }
    }

    private ChatSocket joinChat() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                ChatSocket socket = ChatSocket.open(URI.create(topology.cdn("/chat/" + CHANNEL + "?token=" + chatToken)
                        .replace("http://", "ws://")));
                socket.await("history", Duration.ofSeconds(20), c -> !c.frames("history").isEmpty() || c.closed());
                if (!socket.closed()) {
                    return socket;
                }
            } catch (Exception e) {
                assertThat(System.nanoTime()).as("chat joined again through nginx: " + e).isLessThan(deadline);
            }
            Thread.sleep(1000);
        }
    }

    /**
     * Each message said on the connection came back (confirmed) or the connection closed
     * without it (the sender knows to say it again); one missing from a connection still open
     * 10 s later was lost silently.
     */
    private void settleChat() {
        try {
            chat.await("every message back", Duration.ofSeconds(10), c -> c.closed() || c.frames("message").stream()
                    .map(f -> f.path("text").asText()).toList().containsAll(sent));
        } catch (AssertionError | InterruptedException e) {
            // what did not come back is counted below
        }
        List<String> back = chat.frames("message").stream().map(f -> f.path("text").asText()).toList();
        for (String text : sent) {
            if (back.contains(text)) {
                confirmed.add(text);
            } else if (chat.closed()) {
                unconfirmedAtClose.add(text);
            } else {
                lost.add(text);
            }
        }
        sent.clear();
        chat.close();
    }

    /** The end of the journeys: everything the users did is there, once. */
    void finish() throws Exception {
        uploader.join(Duration.ofMinutes(2).toMillis());
        assertThat(uploadFailure.get()).as("the upload").isNull();
        assertThat(uploader.isAlive()).as("the upload finished").isFalse();
        String id = videoId.get();
        assertThat(awaitVideo(id, Duration.ofMinutes(4))).as("the uploaded video").isEqualTo("ready");
        String announced = topology.log("transcoder-1") + topology.log("transcoder-2");
        assertThat(announced.split("video " + id + " ready", -1).length - 1).as("the video announced ready once").isEqualTo(1);
        JsonNode video = JSON.readTree(send("GET", "/api/videos/" + id, userToken, null, 200));
        assertThat(video.get("durationSeconds").asDouble()).isBetween(7.8, 8.2);
        assertThat(topology.status(topology.cdn("/vod/" + id + "/master.m3u8"))).as("the video plays through nginx").isEqualTo(200);
        for (String stream : recordings) {
            assertThat(awaitVideo(stream, Duration.ofMinutes(3))).as("the recording of the broadcast whose ingest died")
                    .isEqualTo("ready");
        }

        chat("the end");
        settleChat();
        assertThat(lost).as("chat messages neither confirmed nor refused").isEmpty();
        try (ChatSocket late = joinChat()) {
            List<String> history = late.frames("history").get(0).get("messages").findValuesAsText("text");
            assertThat(history).as("every confirmed message, once").containsAll(confirmed).doesNotHaveDuplicates();
        }
        assertThat(confirmed).as("the messages said while nothing was dying came back").contains("the end", "api back", "ingest back");
    }

    String summary() {
        return String.format("live: %d segments fetched through nginx, %d failed fetches; upload resumed %d times; "
                + "chat: %d confirmed, %d unconfirmed when their connection closed, %d reconnects",
                segmentsFetched.get(), segmentErrors.get(), uploadResumes.get(), confirmed.size(), unconfirmedAtClose.size(),
                chatReconnects);
    }

    void stop() {
        for (Thread t : new Thread[] {streamer, viewer, uploader}) {
            if (t != null) {
                t.interrupt();
            }
        }
        if (chat != null) {
            chat.close();
        }
    }

    private String awaitVideo(String id, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = JSON.readTree(send("GET", "/api/videos/" + id, userToken, null, 200)).get("status").asText();
            if (status.equals("ready") || status.equals("failed")) {
                return status;
            }
            Thread.sleep(1000);
        }
        return status;
    }

    private byte[] clip() throws Exception {
        Path clip = work.resolve("upload.mp4");
        ffmpeg.command("clip-topology").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=8",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=8", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip.toString()).run();
        return Files.readAllBytes(clip);
    }

    private String send(String method, String path, String token, String json, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(topology.cdn(path))).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r.body();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, "topology-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static String tail(String log) {
        return log.substring(Math.max(0, log.length() - 3000));
    }
}
