package io.castpipe.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.VideosApiTest.assertError;
import static io.castpipe.api.VideosApiTest.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** tus 1.0.0 at /api/uploads, spoken byte for byte as tus-js-client and curl would. */
class TusUploadTest {
    private static final int MiB = 1024 * 1024;
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
    void anUploadSurvivesADroppedConnectionAndEndsQueuedWithTheExactBytesInStorage() throws Exception {
        String token = http.newUser("tus-full");
        byte[] file = random(20 * MiB + 12_345, 1);

        Response created = create(token, file.length, "filename " + b64("holiday.mp4") + ",title " + b64("Holiday"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Tus-Resumable")).isEqualTo("1.0.0");
        String location = created.header("Location");
        assertThat(location).startsWith(node.baseUrl + "/api/uploads/");
        String videoId = created.header("Castpipe-Video-Id");
        assertThat(created.header("Upload-Expires")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        assertThat(video(token, videoId).get("title").asText()).isEqualTo("Holiday");
        assertThat(video(token, videoId).get("status").asText()).isEqualTo("uploading");

        // A first chunk, as a client sends it.
        Response first = patch(location, token, 0, Arrays.copyOfRange(file, 0, 3 * MiB));
        assertThat(first.status()).as(first.body()).isEqualTo(204);
        assertThat(first.header("Upload-Offset")).isEqualTo(String.valueOf(3 * MiB));

        // The connection drops mid-body: the server keeps every byte that arrived.
        int promised = 9 * MiB;
        int sent = 5 * MiB + 4321;
        patchAndDrop(location, token, 3 * MiB, promised, Arrays.copyOfRange(file, 3 * MiB, 3 * MiB + sent));
        long expected = 3L * MiB + sent;
        AtomicLong offset = new AtomicLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Response head = http.request("HEAD", location).token(token).header("Tus-Resumable", "1.0.0").send();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Cache-Control")).isEqualTo("no-store");
            assertThat(head.header("Upload-Length")).isEqualTo(String.valueOf(file.length));
            offset.set(Long.parseLong(head.header("Upload-Offset")));
            return offset.get() == expected;
        });

        // The client resumes from the reported offset and finishes.
        Response rest = patch(location, token, offset.get(), Arrays.copyOfRange(file, (int) offset.get(), file.length));
        assertThat(rest.status()).as(rest.body()).isEqualTo(204);
        assertThat(rest.header("Upload-Offset")).isEqualTo(String.valueOf(file.length));

        assertThat(video(token, videoId).get("status").asText()).isEqualTo("queued");
        try (InputStream in = node.store.get(ObjectKeys.uploadSource(videoId))) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(file));
        }
        VodJob job = probe.awaitJob(videoId);
        assertThat(job.sourceKey()).isEqualTo(ObjectKeys.uploadSource(videoId));
        assertThat(probe.awaitEvents(videoId)).contains(io.castpipe.common.events.VideoEvent.Type.UPLOADED);
        assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(videoId))).isZero();
        try (var tails = Files.list(node.dataDir.resolve("uploads"))) {
            String uploadId = location.substring(location.lastIndexOf('/') + 1);
            assertThat(tails.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(uploadId));
        }
        // A finished upload still answers HEAD, so a client resuming it learns it is done.
        Response done = http.request("HEAD", location).token(token).header("Tus-Resumable", "1.0.0").send();
        assertThat(done.header("Upload-Offset")).isEqualTo(String.valueOf(file.length));
    }

    @Test
    void aPatchAtTheWrongOffsetOrOfTheWrongTypeIsRefused() throws Exception {
        String token = http.newUser("tus-refuse");
        String location = create(token, 1000, null).header("Location");

        Response wrongOffset = patch(location, token, 10, new byte[10]);
        assertError(wrongOffset, 409, "offset_mismatch");
        assertThat(wrongOffset.header("Tus-Resumable")).isEqualTo("1.0.0");

        Response wrongType = http.request("PATCH", location).token(token).header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0").header("Content-Type", "application/octet-stream").body(new byte[10]).send();
        assertError(wrongType, 415, "unsupported_media_type");

        Response pastTheEnd = patch(location, token, 0, new byte[1001]);
        assertError(pastTheEnd, 413, "too_large");

        Response chunked = http.request("PATCH", location).token(token).header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0").header("Content-Type", "application/offset+octet-stream")
                .body(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[10])))
                .send();
        assertError(chunked, 411, "length_required");

        Response noOffset = http.request("PATCH", location).token(token).header("Tus-Resumable", "1.0.0")
                .header("Content-Type", "application/offset+octet-stream").body(new byte[1]).send();
        assertError(noOffset, 400, "missing_header");

        Response oldTus = http.request("PATCH", location).token(token).header("Tus-Resumable", "0.2.2")
                .header("Upload-Offset", "0").header("Content-Type", "application/offset+octet-stream").body(new byte[1]).send();
        assertThat(oldTus.status()).isEqualTo(412);
        assertThat(oldTus.header("Tus-Version")).isEqualTo("1.0.0");

        // Nothing of the refused requests was kept.
        Response head = http.request("HEAD", location).token(token).send();
        assertThat(head.header("Upload-Offset")).isEqualTo("0");
        // Only the owner (or the admin) may touch the upload.
        assertThat(http.request("HEAD", location).send().status()).isEqualTo(401);
        assertThat(http.request("HEAD", location).token(http.newUser("tus-stranger")).send().status()).isEqualTo(403);
        assertThat(http.request("HEAD", location).token(ApiTestNode.ADMIN_TOKEN).send().status()).isEqualTo(200);
    }

    @Test
    void creationChecksItsHeadersAndTheVideo() throws Exception {
        String token = http.newUser("tus-create");
        assertError(http.request("POST", "/api/uploads").header("Upload-Length", "10").send(), 401, "unauthorized");
        assertError(http.request("POST", "/api/uploads").token(token).send(), 400, "missing_header");
        assertError(http.request("POST", "/api/uploads").token(token).header("Upload-Length", "ten").send(), 400, "invalid_header");
        assertError(http.request("POST", "/api/uploads").token(token).header("Upload-Length", "0").send(), 400, "empty_upload");
        assertError(http.request("POST", "/api/uploads").token(token).header("Upload-Defer-Length", "1").send(), 400, "unsupported");
        assertError(create(token, 10, "title %%%"), 400, "invalid_metadata");
        assertError(create(token, 10, "videoId " + b64("../../x")), 400, "bad_id");
        assertError(create(token, 10, "videoId " + b64("0123456789abcdef")), 404, "not_found");
        assertError(create(token, Long.MAX_VALUE, null), 413, "too_large");

        String someoneElses = http.newVideo(http.newUser("tus-create-other"), "theirs", "public");
        assertError(create(token, 10, "videoId " + b64(someoneElses)), 403, "forbidden");

        // Without a title the file name is used; curl needs no Tus-Resumable header.
        Response named = http.request("POST", "/api/uploads/").token(token).header("Upload-Length", "10")
                .header("Upload-Metadata", "filename " + b64("clip.mov") + ",empty").send();
        assertThat(named.status()).isEqualTo(201);
        assertThat(video(token, named.header("Castpipe-Video-Id")).get("title").asText()).isEqualTo("clip.mov");
    }

    @Test
    void anUploadToAnExistingVideoReplacesAnUnfinishedOneAndIsRefusedOnceQueued() throws Exception {
        String token = http.newUser("tus-existing");
        String videoId = http.newVideo(token, "existing", "public");
        String firstLocation = create(token, 5, "videoId " + b64(videoId)).header("Location");
        Response second = create(token, 5, "videoId " + b64(videoId));
        assertThat(second.header("Castpipe-Video-Id")).isEqualTo(videoId);
        assertThat(http.request("HEAD", firstLocation).token(token).send().status()).isEqualTo(404);

        assertThat(patch(second.header("Location"), token, 0, "hello".getBytes()).status()).isEqualTo(204);
        assertThat(video(token, videoId).get("status").asText()).isEqualTo("queued");
        assertError(create(token, 5, "videoId " + b64(videoId)), 409, "invalid_state");
    }

    @Test
    void terminationGivesTheUploadUp() throws Exception {
        String token = http.newUser("tus-terminate");
        Response created = create(token, 10 * MiB, null);
        String location = created.header("Location");
        String videoId = created.header("Castpipe-Video-Id");
        assertThat(patch(location, token, 0, random(6 * MiB, 2)).status()).isEqualTo(204);

        Response deleted = http.request("DELETE", location).token(token).header("Tus-Resumable", "1.0.0").send();
        assertThat(deleted.status()).isEqualTo(204);

        assertThat(http.request("HEAD", location).token(token).send().status()).isEqualTo(404);
        assertThat(patch(location, token, 6 * MiB, new byte[1]).status()).isEqualTo(404);
        assertThat(video(token, videoId).get("status").asText()).isEqualTo("created");
        assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(videoId))).isZero();
        assertThat(node.store.head(ObjectKeys.uploadSource(videoId))).isEmpty();
    }

    @Test
    void optionsTellsWhatTheServerSpeaks() throws Exception {
        Response r = http.request("OPTIONS", "/api/uploads").send();
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Tus-Version")).isEqualTo("1.0.0");
        assertThat(r.header("Tus-Extension").split(",")).contains("creation", "termination", "expiration");
        assertThat(Long.parseLong(r.header("Tus-Max-Size"))).isEqualTo(10L * 1024 * MiB);
    }

    @Test
    void methodOverrideLetsAPostActAsPatch() throws Exception {
        String token = http.newUser("tus-override");
        String location = create(token, 3, null).header("Location");
        Response r = http.request("POST", location).token(token).header("X-HTTP-Method-Override", "PATCH")
                .header("Tus-Resumable", "1.0.0").header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream").body(new byte[] {1, 2, 3}).send();
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Upload-Offset")).isEqualTo("3");
    }

    @Test
    void expiredUploadsAreAbortedBySweepAndOnAccess() throws Exception {
        String token = http.newUser("tus-expire");
        Response swept = create(token, 8 * MiB, null);
        Response touched = create(token, 8 * MiB, null);
        assertThat(patch(swept.header("Location"), token, 0, random(6 * MiB, 3)).status()).isEqualTo(204);
        assertThat(patch(touched.header("Location"), token, 0, new byte[100]).status()).isEqualTo(204);
        node.expireUpload(uploadId(swept));
        node.expireUpload(uploadId(touched));

        // Touched first: a request finds it expired and gives it up.
        assertThat(http.request("HEAD", touched.header("Location")).token(token).send().status()).isEqualTo(404);
        assertThat(node.service.uploads().sweeper().sweep(Instant.now())).isGreaterThanOrEqualTo(1);

        for (Response r : new Response[] {swept, touched}) {
            String videoId = r.header("Castpipe-Video-Id");
            assertThat(http.request("HEAD", r.header("Location")).token(token).send().status()).isEqualTo(404);
            assertThat(video(token, videoId).get("status").asText()).isEqualTo("created");
            assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(videoId))).isZero();
        }
        try (var tails = Files.list(node.dataDir.resolve("uploads"))) {
            assertThat(tails.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(uploadId(swept)) || n.startsWith(uploadId(touched)));
        }
    }

    @Test
    void anUploadResumesOnAnApiRestartedOnTheSameDataFolderAndDatabase() throws Exception {
        ApiTestNode first = ApiTestNode.isolated(Map.of());
        ApiTestNode second = null;
        try (JobsProbe jobs = new JobsProbe(first)) {
            HttpTestClient before = first.client();
            String token = before.newUser("restart");
            byte[] file = random(11 * MiB, 4);
            Response created = before.request("POST", "/api/uploads").token(token).header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", String.valueOf(file.length)).send();
            String path = "/api/uploads/" + uploadId(created);
            String videoId = created.header("Castpipe-Video-Id");
            // One whole part goes to S3, the rest waits in the tail file.
            assertThat(patch(first.baseUrl + path, token, 0, Arrays.copyOf(file, 7 * MiB)).status()).isEqualTo(204);

            second = first.restart();
            HttpTestClient after = second.client();
            Response head = after.request("HEAD", path).token(token).header("Tus-Resumable", "1.0.0").send();
            assertThat(head.header("Upload-Offset")).isEqualTo(String.valueOf(7 * MiB));
            Response rest = patch(second.baseUrl + path, token, 7 * MiB, Arrays.copyOfRange(file, 7 * MiB, file.length));
            assertThat(rest.status()).as(rest.body()).isEqualTo(204);

            assertThat(after.get("/api/videos/" + videoId, token).json().get("status").asText()).isEqualTo("queued");
            try (InputStream in = second.store.get(ObjectKeys.uploadSource(videoId))) {
                assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(file));
            }
            assertThat(jobs.awaitJob(videoId).videoId()).isEqualTo(videoId);
        } finally {
            (second == null ? first : second).close();
        }
    }

    @Test
    void requestsToAnUploadAnotherRequestIsWritingAreAnsweredAtOnceWithoutHoldingAThread() throws Exception {
        String token = http.newUser("tus-busy");
        int length = 10_000;
        String location = create(token, length, null).header("Location");
        String path = java.net.URI.create(location).getPath();
        String head = "HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\nTus-Resumable: 1.0.0\r\n";
        String patchHead = "PATCH " + path + " " + head + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
        try (Socket writer = RawHttp.from("127.0.0.20", node)) {
            RawHttp.send(writer, patchHead + "x".repeat(1000));
            // A probe at a wrong offset changes nothing: 409 until the writer holds the upload, then 423.
            await().atMost(Duration.ofSeconds(30)).until(() -> patch(location, token, 1, new byte[1]).status() == 423);

            // 40 PATCH, 10 DELETE and 10 HEAD of the same user at once: more than the node has worker threads.
            List<Socket> others = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            try {
                for (int i = 0; i < 60; i++) {
                    String kind = i < 40 ? "PATCH" : i < 50 ? "DELETE" : "HEAD";
                    Socket s = RawHttp.from("127.0.0.21", node);
                    RawHttp.send(s, kind.equals("PATCH") ? patchHead : kind + " " + path + " " + head + "\r\n");
                    others.add(s);
                    kinds.add(kind);
                }
                long started = System.nanoTime();
                Response get = http.get("/api/videos?mine=true", token);
                long getMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
                assertThat(get.status()).isEqualTo(200);
                for (int i = 0; i < others.size(); i++) {
                    String answer = RawHttp.readAnswer(others.get(i));
                    if (kinds.get(i).equals("HEAD")) {
                        // The offset needs no lock; the writer's first bytes are still in its chunk.
                        assertThat(answer).startsWith("HTTP/1.1 200").contains("Upload-Offset: 0");
                    } else {
                        assertThat(answer).as(kinds.get(i)).startsWith("HTTP/1.1 423").contains("Retry-After: ")
                                .contains("\"code\":\"upload_busy\"");
                    }
                }
                System.out.printf("60 requests to a busy upload answered within %d ms; a GET meanwhile took %d ms%n",
                        Duration.ofNanos(System.nanoTime() - started).toMillis(), getMillis);
            } finally {
                for (Socket s : others) {
                    s.close();
                }
            }
            // The writer still holds the upload and finishes it.
            RawHttp.send(writer, "x".repeat(length - 1000));
            assertThat(RawHttp.readAnswer(writer)).startsWith("HTTP/1.1 204").contains("Upload-Offset: " + length);
        }
    }

    private static Response create(String token, long length, String metadata) throws Exception {
        HttpTestClient.Request r = http.request("POST", "/api/uploads").token(token)
                .header("Tus-Resumable", "1.0.0").header("Upload-Length", String.valueOf(length));
        if (metadata != null) {
            r.header("Upload-Metadata", metadata);
        }
        return r.send();
    }

    private static Response patch(String location, String token, long offset, byte[] body) throws Exception {
        return http.request("PATCH", location).token(token).header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", String.valueOf(offset))
                .header("Content-Type", "application/offset+octet-stream").body(body).send();
    }

    /** Sends the headers of a PATCH promising {@code promised} bytes, then only {@code body}, then hangs up. */
    private static void patchAndDrop(String location, String token, long offset, int promised, byte[] body) throws Exception {
        java.net.URI uri = java.net.URI.create(location);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            String head = "PATCH " + uri.getPath() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Authorization: Bearer " + token + "\r\n"
                    + "Tus-Resumable: 1.0.0\r\n"
                    + "Upload-Offset: " + offset + "\r\n"
                    + "Content-Type: application/offset+octet-stream\r\n"
                    + "Content-Length: " + promised + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode video(String token, String id) throws Exception {
        return http.get("/api/videos/" + id, token).json();
    }

    private static String uploadId(Response created) {
        String location = created.header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
