package io.castpipe.api;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.config.Setting;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.RawHttp.readAnswer;
import static io.castpipe.api.RawHttp.readUntilClosed;
import static io.castpipe.api.RawHttp.send;
import static io.castpipe.api.TusUploadTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Request bodies that arrive slowly hold no thread: 64 uploads trickling 2 KiB a second from
 * 127.0.0.2 while 127.0.0.1 is served; a body that stops arriving, or keeps coming slower than
 * 1 KiB a second once the body timeout has passed, is answered 408. Uploads in one request,
 * which hold memory while their bytes arrive, are bounded per user and per node.
 */
class SlowBodiesTest {
    private static final int BODY_TIMEOUT_SECONDS = 3;
    /** As many as one address may have arriving at once. */
    private static final int SLOW_UPLOADS = 64;
    /** What each slow upload sends a second: over the 1 KiB a second a body must average, far under a chunk in 8 s. */
    private static final int TRICKLE_BYTES = 2048;
    private static final int SLOW_BODY_BYTES = 64 * 1024;
    /** UploadSlots: single-request uploads at once, on the node and for one user. */
    private static final int SOURCE_PUTS_PER_NODE = 16;
    private static final int SOURCE_PUTS_PER_USER = 2;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.isolated(Map.of(Setting.HTTP_BODY_TIMEOUT_SECONDS.env(), String.valueOf(BODY_TIMEOUT_SECONDS),
                Setting.API_WRITES_PER_MINUTE.env(), "100000"));
        http = node.client();
        token = http.newUser("slow");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void slowUploadsHoldNoThreadWhileOthersAreServed() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            List<String> heads = new ArrayList<>();
            for (int u = 0; u < SOURCE_PUTS_PER_NODE / SOURCE_PUTS_PER_USER; u++) {
                String uploader = http.newUser("slow-put-" + u);
                for (int i = 0; i < SOURCE_PUTS_PER_USER; i++) {
                    heads.add(sourcePutHead(uploader, http.newVideo(uploader, "slow", "public"), SLOW_BODY_BYTES));
                }
            }
            while (heads.size() < SLOW_UPLOADS) {
                heads.add(tusPatchHead(tusUpload(SLOW_BODY_BYTES), 0, SLOW_BODY_BYTES));
            }
            for (String head : heads) {
                Socket s = from("127.0.0.2");
                send(s, head.getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            String videoId = http.newVideo(token, "served meanwhile", "public");
            long worstMillis = 0;
            for (int second = 0; second < 8; second++) {
                for (Socket s : slow) {
                    send(s, new byte[TRICKLE_BYTES]); // every slow upload gets its bytes this second
                }
                long started = System.nanoTime();
                HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(URI.create(node.baseUrl + "/api/videos/" + videoId))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                worstMillis = Math.max(worstMillis, Duration.ofNanos(System.nanoTime() - started).toMillis());
                assertThat(get.statusCode()).isEqualTo(200);
                Thread.sleep(1000 - Math.min(999, Duration.ofNanos(System.nanoTime() - started).toMillis()));
            }
            // Every single-request slot is taken: another (from an address with bodies to spare) is refused at once, tus still goes.
            String other = http.newUser("slow-put-other");
            try (Socket refused = from("127.0.0.5")) {
                send(refused, sourcePutHead(other, http.newVideo(other, "one too many", "public"), 1000).getBytes(StandardCharsets.US_ASCII));
                String answer = readAnswer(refused);
                assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After: ").contains("\"code\":\"busy\"");
            }
            byte[] file = random(3 * 1024 * 1024 + 7, 40);
            String tusPath = tusUpload(file.length);
            Response patched = http.request("PATCH", tusPath).token(token).header("Tus-Resumable", "1.0.0")
                    .header("Upload-Offset", "0").header("Content-Type", "application/offset+octet-stream")
                    .body(HttpRequest.BodyPublishers.ofByteArray(file)).send();
            assertThat(patched.status()).as(patched.body()).isEqualTo(204);
            assertThat(patched.header("Upload-Offset")).isEqualTo(String.valueOf(file.length));
            for (Socket s : slow) {
                assertThat(s.isClosed()).isFalse();
            }
            System.out.printf("%d slow uploads held; slowest GET meanwhile %d ms%n", SLOW_UPLOADS, worstMillis);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void aUserHasTwoSingleRequestUploadsAtOnceAndTheNextIsRefusedUntilOneEnds() throws Exception {
        String uploader = http.newUser("two-puts");
        try (Socket first = from("127.0.0.4"); Socket second = from("127.0.0.4"); Socket third = from("127.0.0.4")) {
            send(first, sourcePutHead(uploader, http.newVideo(uploader, "a", "public"), 1000).getBytes(StandardCharsets.US_ASCII));
            send(second, sourcePutHead(uploader, http.newVideo(uploader, "b", "public"), 1000).getBytes(StandardCharsets.US_ASCII));
            String thirdVideo = http.newVideo(uploader, "c", "public");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Socket probe = from("127.0.0.4")) {
                    send(probe, sourcePutHead(uploader, thirdVideo, 1000).getBytes(StandardCharsets.US_ASCII));
                    return readAnswer(probe).startsWith("HTTP/1.1 429");
                }
            });
            first.close();
            // The slot comes back with the connection: the third upload is taken now.
            byte[] file = random(2048, 41);
            await().atMost(Duration.ofSeconds(10)).until(() -> CLIENT.send(HttpRequest.newBuilder(URI.create(node.baseUrl
                    + "/api/videos/" + thirdVideo + "/source")).header("Authorization", "Bearer " + uploader)
                    .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(file)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        }
    }

    @Test
    void aStalledBodyIsAnswered408AndTusKeepsWhatArrived() throws Exception {
        String uploadPath = tusUpload(1000);
        String videoId = http.newVideo(token, "stalled", "public");
        try (Socket tus = from("127.0.0.3"); Socket put = from("127.0.0.3"); Socket json = from("127.0.0.3")) {
            send(tus, tusPatchHead(uploadPath, 0, 1000).getBytes(StandardCharsets.US_ASCII), new byte[123]);
            send(put, sourcePutHead(videoId, 1000).getBytes(StandardCharsets.US_ASCII), new byte[45]);
            send(json, ("POST /api/videos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: 100\r\n\r\n{\"title\":").getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            for (Socket s : List.of(tus, put, json)) {
                String answer = readUntilClosed(s);
                assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"body_timeout\"");
            }
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertThat(millis).isGreaterThanOrEqualTo(BODY_TIMEOUT_SECONDS * 1000L - 500);
            System.out.printf("stalled bodies answered 408 and closed after %d ms (timeout %d s)%n", millis, BODY_TIMEOUT_SECONDS);
        }
        Response head = http.request("HEAD", uploadPath).token(token).header("Tus-Resumable", "1.0.0").send();
        assertThat(head.header("Upload-Offset")).isEqualTo("123");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("created"));
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
    }

    @Test
    void aBodyTricklingSlowerThanTheMinimumRateIsAnswered408AndTusKeepsWhatArrived() throws Exception {
        String uploadPath = tusUpload(100_000);
        String videoId = http.newVideo(token, "trickled", "public");
        try (Socket tus = from("127.0.0.6"); Socket put = from("127.0.0.6")) {
            send(tus, tusPatchHead(uploadPath, 0, 100_000).getBytes(StandardCharsets.US_ASCII));
            send(put, sourcePutHead(videoId, 100_000).getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            // 64 bytes a second, never idle for the body timeout: only the minimum rate can end them.
            long sent = 0;
            while (tus.getInputStream().available() == 0 || put.getInputStream().available() == 0) {
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered by now").isLessThan(Duration.ofSeconds(30));
                sent += trickle(tus, 16) ? 16 : 0;
                trickle(put, 16);
                Thread.sleep(250);
            }
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            for (Socket s : List.of(tus, put)) {
                assertThat(readUntilClosed(s)).startsWith("HTTP/1.1 408").contains("\"code\":\"body_timeout\"")
                        .contains("1024 bytes a second");
            }
            assertThat(millis).isGreaterThanOrEqualTo(BODY_TIMEOUT_SECONDS * 1000L - 500);
            System.out.printf("bodies trickling 64 B/s answered 408 after %d ms (timeout %d s)%n", millis, BODY_TIMEOUT_SECONDS);
            Response head = http.request("HEAD", uploadPath).token(token).header("Tus-Resumable", "1.0.0").send();
            assertThat(Long.parseLong(head.header("Upload-Offset"))).isPositive().isLessThanOrEqualTo(sent);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("created"));
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
    }

    /** Sends {@code n} bytes; false once the server has closed the connection. */
    private static boolean trickle(Socket s, int n) {
        try {
            send(s, new byte[n]);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tusUpload(long length) throws Exception {
        Response created = http.request("POST", "/api/uploads").token(token).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", String.valueOf(length)).send();
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return URI.create(created.header("Location")).getPath();
    }

    private static String tusPatchHead(String path, long offset, long length) {
        return "PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + offset
                + "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static String sourcePutHead(String videoId, long length) {
        return sourcePutHead(token, videoId, length);
    }

    private static String sourcePutHead(String uploader, String videoId, long length) {
        return "PUT /api/videos/" + videoId + "/source HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + uploader
                + "\r\nContent-Type: video/mp4\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static Socket from(String address) throws IOException {
        return RawHttp.from(address, node);
    }
}
