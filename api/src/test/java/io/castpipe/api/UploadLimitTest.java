package io.castpipe.api;

import java.net.URI;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.config.Setting;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.VideosApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** CASTPIPE_UPLOAD_MAX_BYTES holds for every way of uploading: 413 JSON, and nothing kept. */
class UploadLimitTest {
    private static final int LIMIT = 6 * 1024 * 1024;
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.isolated(Map.of(Setting.UPLOAD_MAX_BYTES.env(), String.valueOf(LIMIT)));
        http = node.client();
        token = http.newUser("limited");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void tusCreationOverTheLimitIsRefused() throws Exception {
        Response r = http.request("POST", "/api/uploads").token(token).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", String.valueOf(LIMIT + 1)).send();
        assertError(r, 413, "too_large");
        assertThat(http.request("OPTIONS", "/api/uploads").send().header("Tus-Max-Size")).isEqualTo(String.valueOf(LIMIT));
    }

    @Test
    void aSourceBodyOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
        // A client that waits for 100 Continue (curl does for large bodies) sends nothing.
        String declared = http.newVideo(token, "declared", "public");
        String answer = headersOnly("PUT /api/videos/" + declared + "/source HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n"
                + "Content-Length: " + (LIMIT + 1) + "\r\nExpect: 100-continue\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413").contains("too_large").doesNotContain("100 Continue");
        assertThat(node.store.head(ObjectKeys.uploadSource(declared))).isEmpty();
    }

    /** Sends only a request's headers and reads what the server answers within 10 s. */
    private static String headersOnly(String request) throws Exception {
        URI base = URI.create(node.baseUrl);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] buffer = new byte[8192];
            int n = socket.getInputStream().read(buffer);
            String head = new String(buffer, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII);
            int more = head.contains("\r\n\r\n") && !head.endsWith("\r\n\r\n") ? 0 : socket.getInputStream().read(buffer);
            return head + (more > 0 ? new String(buffer, 0, more, java.nio.charset.StandardCharsets.US_ASCII) : "");
        }
    }

    @Test
    void aDirectUploadOverTheLimitIsRefusedAtTheUrlOrAtCompletion() throws Exception {
        String videoId = http.newVideo(token, "direct", "public");
        assertError(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", LIMIT + 1)), 413, "too_large");

        // The URL is signed for the declared size: storage refuses more.
        JsonNode plan = http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", LIMIT)).json();
        assertThat(DirectUploadTest.refusedByStorage(plan.get("url").asText(), plan.get("headers"), new byte[LIMIT + 1])).isTrue();
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();

        // Storage that does not check signed lengths could take it: completion checks the size again.
        node.store.put(ObjectKeys.uploadSource(videoId), new byte[LIMIT + 1], "application/octet-stream");
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of()), 413, "too_large");
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
        assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("created");
    }
}
