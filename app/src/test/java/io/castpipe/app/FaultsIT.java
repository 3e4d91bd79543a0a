package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.net.FreePorts;
import io.castpipe.embedded.EmbeddedDatabase;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runtime faults, caused for real: the roles run as their own processes ({@code ./castpipe api},
 * {@code ./castpipe transcoder}, {@code ./castpipe chat}, {@code ./castpipe ingest}) against a Kafka broker, an S3 server and a database served from
 * this JVM, which the tests stop for 30 s and start again on the same ports and folders while a
 * video is uploaded or transcoded: the work waits and finishes once, requests get 503 with a
 * reason meanwhile, and the processes stay live and become ready again. Role processes are also
 * killed with SIGKILL mid-journey: the api during a tus upload, ingest during a broadcast.
 */
class FaultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String ACCESS_KEY = "castpipe";
    private static final String SECRET_KEY = "faults-test-secret-key-0123456789abcdef";
    private static final String ADMIN = "faults-admin-token-7f3k2m9q4x8w1z6v5b0n";
    /** How long each dependency stays away, as the issue of record asks. */
    private static final Duration AWAY = Duration.ofSeconds(30);
    private static final int CHAT_DURING_OUTAGE = 5;

    private static Path dir;
    private static int[] ports;
    private static EmbeddedKafka kafka;
    private static EmbeddedS3 s3;
    private static EmbeddedDatabase db;
    private static CastpipeProcess api;
    private static CastpipeProcess transcoder;
    private static CastpipeProcess chat;
    private static CastpipeProcess ingest;
    private static CastpipeProcess origin;
    private static Ffmpeg ffmpeg;
    private static String userToken;

    @BeforeAll
    static void start() throws Exception {
        dir = TestServices.tempDir("faults");
        ports = FreePorts.take(11);
        kafka = startKafka();
        s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", ports[2], ACCESS_KEY, SECRET_KEY).start();
        db = new EmbeddedDatabase(dir.resolve("db"), ports[3]).start();
        api = CastpipeProcess.start(role("api", ports[4]), "api");
        transcoder = CastpipeProcess.start(role("transcoder", ports[5]), "transcoder");
        Map<String, String> chatEnv = role("chat", ports[6]);
        chatEnv.put("CASTPIPE_CHAT_PORT", String.valueOf(ports[7]));
        chat = CastpipeProcess.start(chatEnv, "chat");
        ingest = startIngest();
        origin = CastpipeProcess.start(role("origin", ports[10]), "origin");
        api.awaitHealthy(Duration.ofSeconds(90));
        transcoder.awaitHealthy(Duration.ofSeconds(90));
        chat.awaitHealthy(Duration.ofSeconds(90));
        ingest.awaitHealthy(Duration.ofSeconds(90));
        origin.awaitHealthy(Duration.ofSeconds(90));
        JsonNode user = JSON.readTree(send("POST", "/api/users", ADMIN, "application/json",
                "{\"name\":\"faults\"}".getBytes(), 201));
        userToken = user.get("token").asText();
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() throws Exception {
        for (CastpipeProcess p : new CastpipeProcess[] {api, transcoder, chat, ingest, origin}) {
            if (p != null) {
                p.close();
            }
        }
        if (ffmpeg != null) {
            ffmpeg.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {db, s3, kafka}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void anUploadCompletedWhileKafkaIsDownIsQueuedAndTranscodedOnceWhenItIsBack() throws Exception {
        String id = newVideo("uploaded in an outage");
        byte[] clip = clip("outage", "320x240", 4);
        send("POST", "/api/channels", userToken, "application/json", "{\"name\":\"outage-chat\"}".getBytes(), 201);
        String chatToken = JSON.readTree(send("POST", "/api/chat/token", userToken, "application/json",
                "{\"channel\":\"outage-chat\"}".getBytes(), 200)).get("token").asText();
        Thread streamer = onAir("outage-live");
        try (ChatSocket room = ChatSocket.join(ports[7], "outage-chat", chatToken)) {
            room.await("history", Duration.ofSeconds(20), c -> !c.frames("history").isEmpty());
            room.say("before the outage");
            room.await("the first message", Duration.ofSeconds(20), c -> !c.frames("message").isEmpty());
            awaitTrue("the broadcast live on the origin", Duration.ofSeconds(60), () -> liveOnOrigin("outage-live"));
            String broadcast = awaitLive("outage-live", Duration.ofSeconds(20));

            kafka.close();
            long down = System.nanoTime();
            awaitStatus(api, "/readyz", 503, Duration.ofSeconds(20));
            JsonNode answer = JSON.readTree(send("PUT", "/api/videos/" + id + "/source", userToken, "video/mp4", clip, 200));
            assertThat(answer.get("status").asText()).as("stored and queued; the job waits in the outbox").isEqualTo("queued");
            assertThat(api.get("/livez").statusCode()).isEqualTo(200);
            for (int i = 0; i < CHAT_DURING_OUTAGE; i++) {
                room.say("during the outage " + i);
                Thread.sleep(1_100); // a person's pace, under the room's rate limit
            }
            Thread.sleep(Math.max(0, AWAY.toMillis() - (System.nanoTime() - down) / 1_000_000));
            assertThat(video(id).get("status").asText()).isEqualTo("queued");

            kafka = startKafka();
            long back = System.nanoTime();
            String status = awaitVideo(id, Duration.ofSeconds(180));
            double readyAfter = (System.nanoTime() - back) / 1e9;
            assertThat(status).as(transcoder.output()).isEqualTo("ready");
            // The broadcast goes on: not ended by the silence (the live worker ends nothing it has not read to the end).
            awaitTrue("the broadcast live again", Duration.ofSeconds(60), () -> liveOnOrigin("outage-live"));
            double liveAfter = (System.nanoTime() - back) / 1e9;
            JsonNode stream = JSON.readTree(send("GET", "/api/streams/" + broadcast, userToken, null, null, 200));
            assertThat(stream.get("status").asText()).as("the same broadcast, not ended for Kafka's silence: " + stream)
                    .isEqualTo("live");
            awaitStatus(api, "/readyz", 200, Duration.ofSeconds(30));
            awaitStatus(transcoder, "/readyz", 200, Duration.ofSeconds(30));
            assertThat(count(transcoder.stdoutText(), "video " + id + " ready")).as("transcoded once").isEqualTo(1);

            // Every message sent while Kafka was away is delivered once or refused with an error: none lost in silence.
            room.await("each message delivered or refused", Duration.ofSeconds(60),
                    c -> delivered(c, "during the outage ").size() + c.frames("error").size() >= CHAT_DURING_OUTAGE);
            List<String> delivered = delivered(room, "during the outage ");
            assertThat(delivered).doesNotHaveDuplicates();
            assertThat(delivered.size() + room.frames("error").size()).isEqualTo(CHAT_DURING_OUTAGE);
            assertThat(room.frames("error")).allSatisfy(e -> assertThat(e.get("code").asText()).isEqualTo("unavailable"));
            System.out.printf("upload during a %d s Kafka outage: answered queued; ready %.1f s after Kafka was back; "
                    + "chat sent meanwhile: %d delivered, %d refused; the broadcast live again %.1f s after%n", AWAY.toSeconds(),
                    readyAfter, delivered.size(), room.frames("error").size(), liveAfter);
        } finally {
            streamer.interrupt();
            streamer.join(10_000);
        }
    }

    private static List<String> delivered(ChatSocket room, String prefix) {
        return room.frames("message").stream().map(f -> f.get("text").asText()).filter(t -> t.startsWith(prefix)).toList();
    }

    @Test
    void storageDownMidTranscodeDelaysTheVideoAndLosesNothing() throws Exception {
        String id = newVideo("transcoded through a storage outage");
        String other = newVideo("uploaded while storage is away");
        send("PUT", "/api/videos/" + id + "/source", userToken, "video/mp4", clip("storage", "854x480", 30), 200);
        awaitStatusOf(id, "processing", Duration.ofSeconds(60));

        s3.close();
        long down = System.nanoTime();
        awaitStatus(transcoder, "/readyz", 503, Duration.ofSeconds(20));
        HttpResponse<String> refused = request("PUT", "/api/videos/" + other + "/source", userToken, "video/mp4",
                clip("storage-refused", "320x240", 2));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(JSON.readTree(refused.body()).get("error").get("code").asText()).isEqualTo("storage_unavailable");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(transcoder.get("/livez").statusCode()).isEqualTo(200);
        Thread.sleep(Math.max(0, AWAY.toMillis() - (System.nanoTime() - down) / 1_000_000));
        assertThat(video(id).get("status").asText()).as("still being worked on, not failed").isIn("processing", "queued");

        s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", ports[2], ACCESS_KEY, SECRET_KEY).start();
        double readyAfter = readyOnceFrom(id, System.nanoTime());
        assertThat(transcoder.stdoutText()).contains("video " + id + ": storage unreachable");
        System.out.printf("transcode through a %d s storage outage: ready %.1f s after storage was back%n",
                AWAY.toSeconds(), readyAfter);
    }

    /**
     * The transcoder's disk refuses writes mid-transcode. A full file system takes root to make,
     * so the suite has the kernel refuse the same writes: a file-size limit (prlimit) on the
     * transcoder and its ffmpeg, under what a source, a segment and the disk probe need, lifted
     * after {@link #AWAY}. The transcoder's own log goes on past it until then.
     */
    @Test
    void aFullDiskMidTranscodeDelaysTheVideoAndLosesNothing() throws Exception {
        String id = newVideo("transcoded through a full disk");
        // 720p: its 4 s segments (1.5 MB) are over the limit whatever the log has reached.
        send("PUT", "/api/videos/" + id + "/source", userToken, "video/mp4", clip("disk", "1280x720", 20), 200);
        awaitStatusOf(id, "processing", Duration.ofSeconds(60));

        long logged = Files.size(transcoder.stdout);
        long full = System.nanoTime();
        try {
            limitFileSize(transcoder, String.valueOf(logged + (256 << 10)));
            awaitStatus(transcoder, "/readyz", 503, Duration.ofSeconds(20));
            assertThat(JSON.readTree(transcoder.get("/readyz").body()).get("dependencies").get("disk").asText()).isEqualTo("down");
            assertThat(transcoder.get("/livez").statusCode()).isEqualTo(200);
            Thread.sleep(Math.max(0, AWAY.toMillis() - (System.nanoTime() - full) / 1_000_000));
            assertThat(video(id).get("status").asText()).as("still being worked on, not failed").isIn("processing", "queued");
        } finally {
            limitFileSize(transcoder, "unlimited");
        }
        double readyAfter = readyOnceFrom(id, System.nanoTime());
        System.out.printf("transcode through a %d s full disk: ready %.1f s after the disk took writes again%n",
                AWAY.toSeconds(), readyAfter);
    }

    /** Seconds from {@code since} (nanoTime) until the video was ready, announced once, with the transcoder ready again. */
    private static double readyOnceFrom(String id, long since) throws Exception {
        String status = awaitVideo(id, Duration.ofSeconds(180));
        double readyAfter = (System.nanoTime() - since) / 1e9;
        assertThat(status).as(transcoder.output()).isEqualTo("ready");
        awaitStatus(transcoder, "/readyz", 200, Duration.ofSeconds(30));
        assertThat(count(transcoder.stdoutText(), "video " + id + " ready")).as("announced ready once").isEqualTo(1);
        return readyAfter;
    }

    /**
     * RLIMIT_FSIZE of the process and its children now (ffmpeg started later inherits it). A child
     * that ended between being listed and being limited needs no limit.
     */
    private static void limitFileSize(CastpipeProcess node, String bytes) throws Exception {
        List<ProcessHandle> processes = new java.util.ArrayList<>(List.of(node.process.toHandle()));
        node.process.descendants().forEach(processes::add);
        for (ProcessHandle process : processes) {
            Process prlimit = new ProcessBuilder("prlimit", "--pid", String.valueOf(process.pid()), "--fsize=" + bytes + ":unlimited")
                    .redirectErrorStream(true).start();
            String said = new String(prlimit.getInputStream().readAllBytes());
            if (prlimit.waitFor() != 0 && process.isAlive()) {
                throw new AssertionError("prlimit on " + process.pid() + ": " + said);
            }
        }
    }

    @Test
    void theDatabaseDownAsAVideoFinishesAnswers503AndTheVideoIsReadyAfter() throws Exception {
        String id = newVideo("finished while the database is away");
        send("PUT", "/api/videos/" + id + "/source", userToken, "video/mp4", clip("database", "854x480", 20), 200);
        awaitStatusOf(id, "processing", Duration.ofSeconds(60));

        db.close();
        long down = System.nanoTime();
        awaitStatus(api, "/readyz", 503, Duration.ofSeconds(20));
        HttpResponse<String> refused = request("GET", "/api/videos/" + id, userToken, null, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(JSON.readTree(refused.body()).get("error").get("code").asText()).isEqualTo("database_unavailable");
        assertThat(api.get("/livez").statusCode()).isEqualTo(200);
        Thread.sleep(Math.max(0, AWAY.toMillis() - (System.nanoTime() - down) / 1_000_000));

        db = new EmbeddedDatabase(dir.resolve("db"), ports[3]).start();
        long back = System.nanoTime();
        awaitStatus(api, "/readyz", 200, Duration.ofSeconds(30));
        String status = awaitVideo(id, Duration.ofSeconds(120));
        double readyAfter = (System.nanoTime() - back) / 1e9;
        assertThat(status).as(api.output()).isEqualTo("ready");
        System.out.printf("database away for %d s as a video finished: 503 meanwhile, ready %.1f s after it was back%n",
                AWAY.toSeconds(), readyAfter);
    }

    @Test
    void theApiKilledMidUploadResumesWhereTheUploadStood() throws Exception {
        byte[] bytes = clip("killed-api", "1280x720", 8);
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(apiBase() + "/api/uploads"))
                .header("Authorization", "Bearer " + userToken).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", String.valueOf(bytes.length))
                .header("Upload-Metadata", "title " + java.util.Base64.getEncoder().encodeToString("api killed".getBytes()))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        URI upload = URI.create(apiBase()).resolve(created.headers().firstValue("Location").orElseThrow());
        String videoId = created.headers().firstValue("Castpipe-Video-Id").orElseThrow();
        int half = bytes.length / 2;
        assertThat(TusRequests.patch(upload, userToken, 0, Arrays.copyOfRange(bytes, 0, half)).statusCode()).isEqualTo(204);

        api.close(); // SIGKILL
        api = CastpipeProcess.start(role("api", ports[4]), "api");
        api.awaitHealthy(Duration.ofSeconds(90));

        long offset = TusRequests.offset(upload, userToken);
        assertThat(offset).as("every byte received before the kill is kept").isEqualTo(half);
        HttpResponse<String> rest = TusRequests.patch(upload, userToken, offset, Arrays.copyOfRange(bytes, half, bytes.length));
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(204);
        assertThat(awaitVideo(videoId, Duration.ofSeconds(180))).as(transcoder.output()).isEqualTo("ready");
        assertThat(video(videoId).get("durationSeconds").asDouble()).isBetween(7.8, 8.2);
    }

    @Test
    void anIngestKilledMidStreamHasItsStreamEndedAndRecorded() throws Exception {
        FfmpegJob publisher = publishOn("killed-ingest");
        try {
            String streamId = awaitLive("killed-ingest", Duration.ofSeconds(60));
            Thread.sleep(8000); // a broadcast worth recording

            ingest.close(); // SIGKILL: no ENDED from it
            long killed = System.nanoTime();
            while (liveChannels().contains("killed-ingest")) {
                assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("still live after its ingest died")
                        .isLessThan(Duration.ofSeconds(20));
                Thread.sleep(200);
            }
            double endedAfter = (System.nanoTime() - killed) / 1e9;
            JsonNode stream = JSON.readTree(send("GET", "/api/streams/" + streamId, userToken, null, null, 200));
            assertThat(stream.get("endReason").asText()).isEqualTo("ingest_lost");
            assertThat(endedAfter).as("ended within 10 s of its ingest's last word (ALIVE every 2 s)").isLessThan(12);

            assertThat(awaitVideo(streamId, Duration.ofSeconds(120))).as(transcoder.output()).isEqualTo("ready");
            double recorded = video(streamId).get("durationSeconds").asDouble();
            assertThat(recorded).as("the broadcast up to the kill").isGreaterThan(6);
            System.out.printf("ingest SIGKILLed mid-stream: stream ended %.1f s later (ingest_lost), recording %.1f s ready%n",
                    endedAfter, recorded);
        } finally {
            publisher.kill("the test is over");
            ingest.close();
            ingest = startIngest();
            ingest.awaitHealthy(Duration.ofSeconds(90));
        }
    }

    /**
     * A message the node confirmed (its sender saw it come back from Kafka) is kept whatever happens
     * to the node; one it had not confirmed when it died is the sender's to send again: its
     * connection closed without the message coming back.
     */
    @Test
    void aChatNodeKilledMidConversationKeepsEveryMessageItConfirmed() throws Exception {
        send("POST", "/api/channels", userToken, "application/json", "{\"name\":\"killed-chat\"}".getBytes(), 201);
        String chatToken = JSON.readTree(send("POST", "/api/chat/token", userToken, "application/json",
                "{\"channel\":\"killed-chat\"}".getBytes(), 200)).get("token").asText();
        List<String> confirmed;
        try (ChatSocket sender = ChatSocket.join(ports[7], "killed-chat", chatToken)) {
            sender.await("history", Duration.ofSeconds(20), c -> !c.frames("history").isEmpty());
            for (int i = 0; i < 3; i++) {
                sender.say("before the kill " + i);
                Thread.sleep(1_100);
            }
            sender.await("the first messages", Duration.ofSeconds(20), c -> delivered(c, "before the kill ").size() == 3);
            sender.say("as the node dies");
            chat.close(); // SIGKILL
            confirmed = new java.util.ArrayList<>(delivered(sender, "before the kill "));
            confirmed.addAll(delivered(sender, "as the node dies"));
        }
        long killed = System.nanoTime();
        Map<String, String> chatEnv = role("chat", ports[6]);
        chatEnv.put("CASTPIPE_CHAT_PORT", String.valueOf(ports[7]));
        chat = CastpipeProcess.start(chatEnv, "chat");
        chat.awaitHealthy(Duration.ofSeconds(90));
        double backAfter = (System.nanoTime() - killed) / 1e9;
        try (ChatSocket again = ChatSocket.join(ports[7], "killed-chat", chatToken)) {
            again.await("history", Duration.ofSeconds(20), c -> !c.frames("history").isEmpty());
            List<String> history = again.frames("history").get(0).get("messages").findValuesAsText("text");
            assertThat(history).as("every confirmed message, once").containsAll(confirmed).doesNotHaveDuplicates();
            again.say("after the restart");
            again.await("a new message", Duration.ofSeconds(20), c -> !delivered(c, "after the restart").isEmpty());
            System.out.printf("chat node SIGKILLed: serving again %.1f s later, %d confirmed messages all in the history%n",
                    backAfter, confirmed.size());
        }
    }

    /** The origin keeps nothing of its own: one started after a SIGKILL serves the live stream at once. */
    @Test
    void anOriginKilledMidStreamServesItAgainOnceRestarted() throws Exception {
        FfmpegJob publisher = publishOn("killed-origin");
        String playlist = "/live/killed-origin/360p/index.m3u8";
        try {
            awaitLive("killed-origin", Duration.ofSeconds(60));
            awaitStatus(origin, playlist, 200, Duration.ofSeconds(60));
            long before = lastSequence(origin.get(playlist).body());

            origin.close(); // SIGKILL
            long killed = System.nanoTime();
            origin = CastpipeProcess.start(role("origin", ports[10]), "origin");
            awaitStatus(origin, playlist, 200, Duration.ofSeconds(90));
            double servingAfter = (System.nanoTime() - killed) / 1e9;
            long after = lastSequence(origin.get(playlist).body());
            assertThat(after).isGreaterThanOrEqualTo(before);
            // Blocking reloads for the next segment: answered when it comes (or at once until this node has heard of the playlist).
            long grown = after;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (grown <= after) {
                assertThat(System.nanoTime()).as("the playlist grows on the restarted origin").isLessThan(deadline);
                HttpResponse<String> blocked = origin.get(playlist + "?_HLS_msn=" + (after + 1));
                assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(200);
                grown = lastSequence(blocked.body());
                Thread.sleep(grown > after ? 0 : 100);
            }
            awaitStatus(origin, "/readyz", 200, Duration.ofSeconds(30));
            System.out.printf("origin SIGKILLed mid-stream: serving the live playlist again %.1f s later%n", servingAfter);
        } finally {
            publisher.kill("the test is over");
        }
    }

    /** A new channel named {@code name}, and 2 minutes of a 360p test pattern published on it over RTMP. */
    private static FfmpegJob publishOn(String name) throws Exception {
        return publish(name, channelUrl(name));
    }

    /** A new channel named {@code name}: the RTMP URL to publish on it. */
    private static String channelUrl(String name) throws Exception {
        JsonNode channel = JSON.readTree(send("POST", "/api/channels", userToken, "application/json",
                ("{\"name\":\"" + name + "\"}").getBytes(), 201));
        return "rtmp://127.0.0.1:" + ports[9] + "/live/" + channel.get("streamKey").asText();
    }

    private static FfmpegJob publish(String name, String url) {
        return ffmpeg.command("publish-" + name).args("-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440", "-t", "120", "-c:v", "libx264", "-preset", "ultrafast",
                "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", url).start();
    }

    /** A streamer who, as OBS does, connects again a second after the connection dropped; until interrupted. */
    private static Thread onAir(String name) throws Exception {
        String url = channelUrl(name);
        Thread streamer = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                FfmpegJob job = publish(name, url);
                try {
                    job.await();
                } catch (RuntimeException dropped) {
                    job.kill("interrupted or dropped");
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "streamer-" + name);
        streamer.start();
        return streamer;
    }

    /** The origin serves the channel's 360p playlist, not ended, its newest segment from the last 10 s. */
    private static boolean liveOnOrigin(String channel) {
        HttpResponse<String> r = origin.get("/live/" + channel + "/360p/index.m3u8");
        if (r.statusCode() != 200 || r.body().contains("#EXT-X-ENDLIST")) {
            return false;
        }
        List<String> dates = r.body().lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:"))
                .map(l -> l.substring(25).trim()).toList();
        return !dates.isEmpty()
                && Duration.between(java.time.Instant.parse(dates.get(dates.size() - 1)), java.time.Instant.now()).toSeconds() < 10;
    }

    private static long lastSequence(String playlist) {
        Matcher m = Pattern.compile("seg-(\\d+)\\.m4s").matcher(playlist);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    private static CastpipeProcess startIngest() throws java.io.IOException {
        Map<String, String> env = role("ingest", ports[8]);
        env.put("CASTPIPE_RTMP_PORT", String.valueOf(ports[9]));
        return CastpipeProcess.start(env, "ingest");
    }

    private static String apiBase() {
        return "http://127.0.0.1:" + ports[4];
    }

    private static String awaitLive(String channel, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode s : JSON.readTree(send("GET", "/api/live", null, null, null, 200))) {
                if (s.get("channel").asText().equals(channel)) {
                    return s.get("streamId").asText();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(channel + " not live within " + limit + ingest.output());
    }

    private static List<String> liveChannels() throws Exception {
        return JSON.readTree(send("GET", "/api/live", null, null, null, 200)).findValuesAsText("channel");
    }


    private static EmbeddedKafka startKafka() throws Exception {
        return new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", ports[0], ports[1]).start();
    }

    private static Map<String, String> role(String name, int httpPort) {
        Map<String, String> env = new HashMap<>();
        env.put("CASTPIPE_DATA_DIR", dir.resolve(name).toString());
        env.put("CASTPIPE_HTTP_PORT", String.valueOf(httpPort));
        env.put("CASTPIPE_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        env.put("CASTPIPE_S3_ENDPOINT", s3.endpoint());
        env.put("CASTPIPE_S3_ACCESS_KEY", ACCESS_KEY);
        env.put("CASTPIPE_S3_SECRET_KEY", SECRET_KEY);
        env.put("CASTPIPE_DB_URL", db.tcpUrl("127.0.0.1"));
        env.put("CASTPIPE_DB_USER", "castpipe");
        env.put("CASTPIPE_DB_PASSWORD", "faults-db-password");
        env.put("CASTPIPE_ADMIN_TOKEN", ADMIN);
        env.put("CASTPIPE_SIGNING_SECRET", "faults-signing-secret-4k8d2n6p0r3t7v1x9z5b");
        env.put("CASTPIPE_PUBLIC_URL", "http://127.0.0.1:" + ports[4]);
        return env;
    }

    private static String newVideo(String title) throws Exception {
        return JSON.readTree(send("POST", "/api/videos", userToken, "application/json",
                JSON.writeValueAsBytes(Map.of("title", title, "visibility", "public")), 201)).get("id").asText();
    }

    private static byte[] clip(String name, String size, int seconds) throws Exception {
        Path clip = dir.resolve(name + ".mp4");
        ffmpeg.command("clip-" + name).args("-y", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25:duration=" + seconds,
                "-f", "lavfi", "-i", "sine=frequency=440:duration=" + seconds, "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip.toString()).run();
        return Files.readAllBytes(clip);
    }

    private static JsonNode video(String id) throws Exception {
        return JSON.readTree(send("GET", "/api/videos/" + id, userToken, null, null, 200));
    }

    private static void awaitTrue(String what, Duration limit, java.util.function.BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within " + limit).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static void awaitStatusOf(String id, String wanted, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = video(id).get("status").asText();
            if (status.equals(wanted)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("video " + id + " still " + status + ", not " + wanted + ", after " + limit);
    }

    /** Polls until the video is ready or failed; returns which (or the last status when time ran out). */
    private static String awaitVideo(String id, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = video(id).get("status").asText();
            if (status.equals("ready") || status.equals("failed")) {
                return status;
            }
            Thread.sleep(500);
        }
        return status;
    }

    private static void awaitStatus(CastpipeProcess node, String path, int status, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            try {
                last = node.get(path).statusCode();
            } catch (java.io.UncheckedIOException e) {
                last = 0;
            }
            if (last == status) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " still " + last + " after " + limit + ", not " + status);
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String send(String method, String path, String token, String contentType, byte[] body, int expected)
            throws Exception {
        HttpResponse<String> r = request(method, path, token, contentType, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r.body();
    }

    private static HttpResponse<String> request(String method, String path, String token, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[4] + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
