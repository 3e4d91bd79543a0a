package io.castpipe.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.TusUploadTest.random;
import static io.castpipe.api.TusUploadTest.sha256;
import static io.castpipe.api.VideosApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PUT /api/videos/{id}/source: the whole file in one streamed request. */
class SourceUploadTest {
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static JobsProbe probe;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
        probe = JobsProbe.shared();
    }

    @Test
    void aStreamedBodyBecomesTheSourceAndQueuesTheVideo() throws Exception {
        String token = http.newUser("put-source");
        String videoId = http.newVideo(token, "one request", "public");
        byte[] file = random(7 * 1024 * 1024 + 99, 20);

        Response r = http.request("PUT", "/api/videos/" + videoId + "/source").token(token)
                .header("Content-Type", "video/mp4").body(file).send();

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("queued");
        assertThat(probe.awaitJob(videoId).sourceKey()).isEqualTo(ObjectKeys.uploadSource(videoId));
        try (InputStream in = node.store.get(ObjectKeys.uploadSource(videoId))) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(file));
        }
        assertError(http.request("PUT", "/api/videos/" + videoId + "/source").token(token).body(file).send(),
                409, "invalid_state");
    }

    /**
     * Refused before its body is read (the video takes no source any more), a client still sending
     * that body gets its answer, and the connection, read to the end of the body, serves the next
     * request: it is not closed under the client (which would lose the answer to a reset).
     */
    @Test
    void aRefusedUploadStillBeingSentGetsItsAnswerAndKeepsTheConnection() throws Exception {
        String token = http.newUser("put-refused-drained");
        String videoId = http.newVideo(token, "refused", "public");
        assertThat(http.request("PUT", "/api/videos/" + videoId + "/source").token(token).body(random(1000, 22)).send()
                .status()).isEqualTo(200);
        byte[] body = random(3 * 1024 * 1024, 23);
        try (Socket s = RawHttp.from("127.0.0.1", node)) {
            RawHttp.send(s, "PUT /api/videos/" + videoId + "/source HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            RawHttp.send(s, java.util.Arrays.copyOfRange(body, 0, 65536));
            assertThat(RawHttp.readAnswer(s)).startsWith("HTTP/1.1 409").contains("invalid_state");
            RawHttp.send(s, java.util.Arrays.copyOfRange(body, 65536, body.length));
            RawHttp.send(s, "GET /api/videos/" + videoId + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
            assertThat(RawHttp.readAnswer(s)).startsWith("HTTP/1.1 200").contains("\"id\":\"" + videoId + "\"");
        }
    }

    @Test
    void aChunkedBodyIsRefusedBeforeAnythingIsStored() throws Exception {
        String token = http.newUser("put-chunked");
        String videoId = http.newVideo(token, "chunked", "public");
        byte[] file = random(100_000, 21);
        Response r = http.request("PUT", "/api/videos/" + videoId + "/source").token(token)
                .body(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(file))).send();
        assertError(r, 411, "length_required");
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
    }

    @Test
    void anHttp2BodyWithoutContentLengthIsRefusedBeforeAnythingIsStored() throws Exception {
        String token = http.newUser("put-h2");
        String videoId = http.newVideo(token, "h2 without length", "public");
        byte[] file = random(100_000, 22);
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI source = URI.create(node.baseUrl + "/api/videos/" + videoId + "/source");
        // The JDK client upgrades a bodiless first request to h2c; the upload then goes as a stream of that connection.
        HttpResponse<String> first = h2.send(HttpRequest.newBuilder(URI.create(node.baseUrl + "/api/videos/" + videoId))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(source).header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(file))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(411);
        assertThat(r.body()).contains("length_required");
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
        // No body at all (the stream ends with its headers) is an empty upload, not one of unknown length.
        HttpResponse<String> empty = h2.send(HttpRequest.newBuilder(source).header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(empty.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("empty_upload");

        HttpResponse<String> withLength = h2.send(HttpRequest.newBuilder(source).header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withLength.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(withLength.statusCode()).as(withLength.body()).isEqualTo(200);
    }

    @Test
    void aBodyCutOffMidwayLeavesNothingBehind() throws Exception {
        String token = http.newUser("put-dropped");
        String videoId = http.newVideo(token, "dropped", "public");
        URI base = URI.create(node.baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/videos/" + videoId + "/source HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + token + "\r\nContent-Length: " + (12 * 1024 * 1024) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // More than one S3 part, so a multipart upload is under way when the client goes.
            out.write(random(7 * 1024 * 1024, 22));
            out.flush();
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                http.get("/api/videos/" + videoId, token).json().get("status").asText().equals("created"));
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
        assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(videoId))).isZero();
    }

    @Test
    void anEmptyBodyOrAStrangerIsRefused() throws Exception {
        String token = http.newUser("put-refused");
        String videoId = http.newVideo(token, "refused", "public");
        assertError(http.request("PUT", "/api/videos/" + videoId + "/source").token(token).body(new byte[0]).send(),
                400, "empty_upload");
        assertError(http.request("PUT", "/api/videos/" + videoId + "/source").body(new byte[3]).send(), 401, "unauthorized");
        assertError(http.request("PUT", "/api/videos/" + videoId + "/source").token(http.newUser("put-stranger"))
                .body(new byte[3]).send(), 403, "forbidden");
        assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("created");
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
    }
}
