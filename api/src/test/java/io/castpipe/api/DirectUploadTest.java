package io.castpipe.api;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.TusUploadTest.random;
import static io.castpipe.api.TusUploadTest.sha256;
import static io.castpipe.api.VideosApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Uploads straight to storage through presigned URLs, then POST .../complete. */
class DirectUploadTest {
    private static final int MiB = 1024 * 1024;
    private static final HttpClient STORAGE = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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
    void aPresignedPutThenCompleteQueuesTheVideo() throws Exception {
        String token = http.newUser("direct-single");
        String videoId = http.newVideo(token, "direct", "public");
        byte[] file = random(300_000, 10);

        Response plan = http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", file.length));
        assertThat(plan.status()).as(plan.body()).isEqualTo(200);
        JsonNode p = plan.json();
        assertThat(p.get("method").asText()).isEqualTo("PUT");
        assertThat(p.get("expiresAt").asText()).isNotBlank();
        assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("uploading");

        // The URL is signed for the declared length: storage refuses a longer or a shorter body.
        assertThat(refusedByStorage(p.get("url").asText(), p.get("headers"), Arrays.copyOf(file, file.length + 1))).isTrue();
        assertThat(refusedByStorage(p.get("url").asText(), p.get("headers"), Arrays.copyOf(file, file.length - 1))).isTrue();
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
        HttpResponse<String> stored = presignedPut(p, file);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);

        Response done = http.post("/api/videos/" + videoId + "/complete", token, Map.of());
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.json().get("status").asText()).isEqualTo("queued");
        assertThat(probe.awaitJob(videoId).sourceKey()).isEqualTo(ObjectKeys.uploadSource(videoId));
        try (InputStream in = node.store.get(ObjectKeys.uploadSource(videoId))) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(file));
        }
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of()), 409, "invalid_state");
        assertError(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", 1)), 409, "invalid_state");
    }

    @Test
    void aLargeFileGetsPresignedPartsThatCompleteWithTheirEtags() throws Exception {
        String token = http.newUser("direct-multi");
        String videoId = http.newVideo(token, "direct multipart", "private");
        byte[] file = random(64 * MiB + 4096, 11);

        Response planned = http.post("/api/videos/" + videoId + "/upload-url", token,
                Map.of("size", file.length, "partSize", 64 * MiB));
        assertThat(planned.status()).as(planned.body()).isEqualTo(200);
        JsonNode plan = planned.json();
        long partSize = plan.get("partSize").asLong();
        assertThat(partSize).isEqualTo(64L * MiB);
        assertThat(plan.get("parts")).hasSize(2);

        List<Map<String, Object>> etags = new ArrayList<>();
        for (JsonNode part : plan.get("parts")) {
            int n = part.get("partNumber").asInt();
            byte[] bytes = Arrays.copyOfRange(file, (int) ((n - 1) * partSize), (int) Math.min(file.length, n * partSize));
            assertThat(part.get("size").asLong()).isEqualTo(bytes.length);
            assertThat(refusedByStorage(part.get("url").asText(), null, Arrays.copyOf(bytes, bytes.length + 1)))
                    .as("part %d one byte longer than signed", n).isTrue();
            assertThat(node.partsStored(ObjectKeys.uploadSource(videoId), part.get("url").asText())).isEqualTo(n - 1);
            HttpResponse<String> r = STORAGE.send(HttpRequest.newBuilder(URI.create(part.get("url").asText()))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            etags.add(Map.of("partNumber", n, "etag", r.headers().firstValue("ETag").orElseThrow()));
        }

        assertError(http.post("/api/videos/" + videoId + "/complete", token,
                Map.of("uploadId", plan.get("uploadId").asText())), 400, "missing_field");
        Response done = http.post("/api/videos/" + videoId + "/complete", token,
                Map.of("uploadId", plan.get("uploadId").asText(), "parts", etags));
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.json().get("status").asText()).isEqualTo("queued");
        assertThat(probe.awaitJob(videoId).videoId()).isEqualTo(videoId);
        try (InputStream in = node.store.get(ObjectKeys.uploadSource(videoId))) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(file));
        }
    }

    @Test
    void completingChecksThatSomethingArrived() throws Exception {
        String token = http.newUser("direct-checks");
        String videoId = http.newVideo(token, "nothing yet", "public");
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of()), 409, "no_upload");

        assertError(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of()), 400, "missing_field");
        assertThat(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", 1000)).status()).isEqualTo(200);
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of()), 409, "source_missing");
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of("uploadId", "0123456789abcdef")),
                404, "not_found");

        JsonNode plan = http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", 65 * MiB)).json();
        assertThat(plan.get("parts").size()).isEqualTo((65 * MiB + ApiTestNode.PART_SIZE - 1) / ApiTestNode.PART_SIZE);
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of("uploadId", plan.get("uploadId").asText(),
                "parts", List.of(Map.of("partNumber", 1, "etag", "\"not-a-real-etag\"")))), 400, "invalid_parts");
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of("uploadId", plan.get("uploadId").asText(),
                "parts", List.of(Map.of("partNumber", 0, "etag", "x")))), 400, "invalid_field");

        assertError(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", -1)), 400, "invalid_field");
        assertError(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", "big")), 400, "invalid_field");
        assertError(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", 100L * 1024 * 1024 * 1024)),
                413, "too_large");
        assertError(http.post("/api/videos/" + videoId + "/upload-url", null, Map.of("size", 1)), 401, "unauthorized");
        assertError(http.post("/api/videos/" + videoId + "/upload-url", http.newUser("direct-stranger"), Map.of("size", 1)),
                403, "forbidden");
    }

    @Test
    void completeRefusesAndDeletesASourceOfAnotherSizeThanDeclared() throws Exception {
        // Storage that does not check signed lengths could hold one: put it there behind the URL's back.
        String token = http.newUser("direct-mismatch");
        String videoId = http.newVideo(token, "mismatch", "public");
        assertThat(http.post("/api/videos/" + videoId + "/upload-url", token, Map.of("size", 1000)).status()).isEqualTo(200);
        node.store.put(ObjectKeys.uploadSource(videoId), new byte[999], "application/octet-stream");
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of()), 400, "size_mismatch");
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
        assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("created");
        assertError(http.post("/api/videos/" + videoId + "/complete", token, Map.of()), 409, "no_upload");
    }

    @Test
    void aDirectUploadNeverCompletedIsRemovedWhenItExpires() throws Exception {
        String token = http.newUser("direct-expired");
        String single = http.newVideo(token, "single, never completed", "public");
        String multi = http.newVideo(token, "parts, never completed", "public");
        byte[] file = random(1000, 12);
        JsonNode put = http.post("/api/videos/" + single + "/upload-url", token, Map.of("size", file.length)).json();
        assertThat(presignedPut(put, file).statusCode()).isEqualTo(200);
        JsonNode plan = http.post("/api/videos/" + multi + "/upload-url", token, Map.of("size", 65 * MiB)).json();
        JsonNode first = plan.get("parts").get(0);
        assertThat(STORAGE.send(HttpRequest.newBuilder(URI.create(first.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(random(first.get("size").asInt(), 13))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(multi))).isEqualTo(1);

        node.expireUpload(put.get("uploadId").asText());
        node.expireUpload(plan.get("uploadId").asText());
        assertThat(node.service.uploads().sweeper().sweep(Instant.now())).isGreaterThanOrEqualTo(2);

        assertThat(node.store.head(ObjectKeys.uploadSource(single))).isEmpty();
        assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(multi))).isZero();
        for (String videoId : List.of(single, multi)) {
            assertThat(http.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("created");
        }
    }

    @Test
    void whatAPresignedPutStoresAfterItsVideoWasDeletedIsGoneAfterASweep() throws Exception {
        String token = http.newUser("direct-deleted");
        String deleted = http.newVideo(token, "deleted before its PUT", "public");
        String kept = http.newVideo(token, "uploaded, then kept", "public");
        byte[] file = random(2000, 14);
        JsonNode late = http.post("/api/videos/" + deleted + "/upload-url", token, Map.of("size", file.length)).json();
        JsonNode onTime = http.post("/api/videos/" + kept + "/upload-url", token, Map.of("size", file.length)).json();
        assertThat(http.delete("/api/videos/" + deleted, token).status()).isEqualTo(204);

        // The URL outlives the video: storage still takes the PUT.
        assertThat(presignedPut(late, file).statusCode()).isEqualTo(200);
        assertThat(presignedPut(onTime, file).statusCode()).isEqualTo(200);
        assertThat(node.store.head(ObjectKeys.uploadSource(deleted))).isPresent();

        // Each sweep looks at a bounded page of uploads/; a few cover this bucket.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            node.service.uploads().sweeper().sweep(Instant.now());
            return node.store.head(ObjectKeys.uploadSource(deleted)).isEmpty();
        });
        assertThat(node.store.head(ObjectKeys.uploadSource(kept))).as("a video that exists keeps its upload").isPresent();
    }

    /** The PUT a client makes with a presigned URL and the headers it came with. */
    private static HttpResponse<String> presignedPut(JsonNode plan, byte[] body) throws Exception {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(plan.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        plan.get("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        return STORAGE.send(put.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Whether storage refuses this PUT: 403, or (a large body it does not read) the connection closed
     * while it is sent. A client of its own: storage closes a connection whose body it refused unread.
     */
    static boolean refusedByStorage(String url, JsonNode headers, byte[] body) throws Exception {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers != null) {
            headers.fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        }
        try {
            return HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 403;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
