package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
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
 * {@code ./castpipe transcoder}) against a Kafka broker, an S3 server and a database served from
 * this JVM, which the tests stop for 30 s and start again on the same ports and folders while a
 * video is uploaded or transcoded: the work waits and finishes once, requests get 503 with a
 * reason meanwhile, and the processes stay live and become ready again.
 */
class FaultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String ACCESS_KEY = "castpipe";
    private static final String SECRET_KEY = "faults-test-secret-key-0123456789abcdef";
    private static final String ADMIN = "faults-admin-token-7f3k2m9q4x8w1z6v5b0n";
    /** How long each dependency stays away, as the issue of record asks. */
    private static final Duration AWAY = Duration.ofSeconds(30);

    private static Path dir;
    private static int[] ports;
    private static EmbeddedKafka kafka;
    private static EmbeddedS3 s3;
    private static EmbeddedDatabase db;
    private static CastpipeProcess api;
    private static CastpipeProcess transcoder;
    private static Ffmpeg ffmpeg;
    private static String userToken;

    @BeforeAll
    static void start() throws Exception {
        dir = TestServices.tempDir("faults");
        ports = FreePorts.take(6);
        kafka = startKafka();
        s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", ports[2], ACCESS_KEY, SECRET_KEY).start();
        db = new EmbeddedDatabase(dir.resolve("db"), ports[3]).start();
        api = CastpipeProcess.start(role("api", ports[4]), "api");
        transcoder = CastpipeProcess.start(role("transcoder", ports[5]), "transcoder");
        api.awaitHealthy(Duration.ofSeconds(90));
        transcoder.awaitHealthy(Duration.ofSeconds(90));
        JsonNode user = JSON.readTree(send("POST", "/api/users", ADMIN, "application/json",
                "{\"name\":\"faults\"}".getBytes(), 201));
        userToken = user.get("token").asText();
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() throws Exception {
        for (CastpipeProcess p : new CastpipeProcess[] {api, transcoder}) {
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

        kafka.close();
        long down = System.nanoTime();
        awaitStatus(api, "/readyz", 503, Duration.ofSeconds(20));
        JsonNode answer = JSON.readTree(send("PUT", "/api/videos/" + id + "/source", userToken, "video/mp4", clip, 200));
        assertThat(answer.get("status").asText()).as("stored and queued; the job waits in the outbox").isEqualTo("queued");
        assertThat(api.get("/livez").statusCode()).isEqualTo(200);
        Thread.sleep(Math.max(0, AWAY.toMillis() - (System.nanoTime() - down) / 1_000_000));
        assertThat(video(id).get("status").asText()).isEqualTo("queued");

        kafka = startKafka();
        long back = System.nanoTime();
        String status = awaitVideo(id, Duration.ofSeconds(180));
        double readyAfter = (System.nanoTime() - back) / 1e9;
        assertThat(status).as(transcoder.output()).isEqualTo("ready");
        awaitStatus(api, "/readyz", 200, Duration.ofSeconds(30));
        awaitStatus(transcoder, "/readyz", 200, Duration.ofSeconds(30));
        assertThat(count(transcoder.stdoutText(), "video " + id + " ready")).as("transcoded once").isEqualTo(1);
        assertThat(api.stdoutText()).doesNotContain("upload it again");
        System.out.printf("upload during a %d s Kafka outage: answered queued; ready %.1f s after Kafka was back%n",
                AWAY.toSeconds(), readyAfter);
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
        long back = System.nanoTime();
        String status = awaitVideo(id, Duration.ofSeconds(180));
        double readyAfter = (System.nanoTime() - back) / 1e9;
        assertThat(status).as(transcoder.output()).isEqualTo("ready");
        awaitStatus(transcoder, "/readyz", 200, Duration.ofSeconds(30));
        assertThat(count(transcoder.stdoutText(), "video " + id + " ready")).as("announced ready once").isEqualTo(1);
        assertThat(transcoder.stdoutText()).contains("video " + id + ": storage unreachable");
        System.out.printf("transcode through a %d s storage outage: ready %.1f s after storage was back%n",
                AWAY.toSeconds(), readyAfter);
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
