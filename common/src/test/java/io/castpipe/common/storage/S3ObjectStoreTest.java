package io.castpipe.common.storage;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The object store against the real embedded S3 server, through the S3 protocol. */
class S3ObjectStoreTest {
    private static final int PART = 5 * 1024 * 1024;
    private static S3ObjectStore store;
    private static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        endpoint = TestServices.s3().endpoint();
        store = new S3ObjectStore(settings("store-test", TestServices.S3_SECRET_KEY));
        store.ensureBucket();
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    private static S3Settings settings(String bucket, String secret) {
        return new S3Settings(URI.create(endpoint), "us-east-1", bucket, TestServices.S3_ACCESS_KEY, secret, true, PART);
    }

    @Test
    void putThenGetReturnsTheSameBytesAndMetadata() throws Exception {
        store.put("a/hello.txt", "hello".getBytes(UTF_8), "text/plain");

        try (InputStream in = store.get("a/hello.txt")) {
            assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("hello");
        }
        ObjectInfo info = store.head("a/hello.txt").orElseThrow();
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.etag()).isNotBlank();
        assertThat(store.head("a/missing")).isEmpty();
        assertThatThrownBy(() -> store.get("a/missing")).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void streamingPutAndRangeGet() throws Exception {
        byte[] data = random(300_000, 1);
        store.put("b/stream.bin", new ByteArrayInputStream(data), data.length, "application/octet-stream");

        try (InputStream in = store.getRange("b/stream.bin", 1000, 1999)) {
            byte[] range = in.readAllBytes();
            assertThat(range).hasSize(1000).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 2000));
        }
    }

    @Test
    void largeWriteBecomesAMultipartUploadWithIdenticalContent() throws Exception {
        byte[] data = random(2 * PART + 123_457, 2);
        try (OutputStream out = store.openForWrite("c/large.bin", "video/mp4")) {
            for (int off = 0; off < data.length; off += 100_000) {
                out.write(data, off, Math.min(100_000, data.length - off));
                if (off == PART + 100_000) {
                    assertThat(uploadsInProgress("c/large.bin")).isEqualTo(1);
                    assertThat(store.head("c/large.bin")).isEmpty();
                }
            }
        }

        assertThat(uploadsInProgress("c/large.bin")).isZero();
        assertThat(store.head("c/large.bin").orElseThrow().size()).isEqualTo(data.length);
        try (InputStream in = store.get("c/large.bin")) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(data));
        }
    }

    @Test
    void smallWriteIsOneRequestAndNothingAppearsBeforeClose() throws Exception {
        OutputStream out = store.openForWrite("d/small.txt", "text/plain");
        out.write("tiny".getBytes(UTF_8));
        assertThat(store.head("d/small.txt")).isEmpty();
        out.close();
        assertThat(store.head("d/small.txt").orElseThrow().size()).isEqualTo(4);
    }

    @Test
    void explicitMultipartUploadCompletesInPartOrder() throws Exception {
        byte[] first = random(PART, 3);
        byte[] second = random(1000, 4);
        MultipartUpload upload = store.startMultipart("e/parts.bin", "application/octet-stream");
        upload.putPart(2, new ByteArrayInputStream(second), second.length);
        upload.putPart(1, new ByteArrayInputStream(first), first.length);
        upload.complete();

        try (InputStream in = store.get("e/parts.bin")) {
            byte[] all = in.readAllBytes();
            assertThat(all).hasSize(PART + 1000);
            assertThat(java.util.Arrays.copyOfRange(all, PART, all.length)).isEqualTo(second);
        }
    }

    @Test
    void resumedMultipartUploadCompletesFromThePartsPutEarlier() throws Exception {
        byte[] first = random(PART, 5);
        byte[] second = random(777, 6);
        MultipartUpload started = store.startMultipart("h/resumed.bin", "application/octet-stream");
        started.putPart(1, new ByteArrayInputStream(first), first.length);
        List<UploadedPart> stored = started.parts();
        assertThat(stored).extracting(UploadedPart::partNumber).containsExactly(1);
        assertThat(stored.get(0).etag()).isNotBlank();

        // As another process would, from the upload id and the parts it kept.
        MultipartUpload resumed = store.resumeMultipart("h/resumed.bin", started.uploadId(), stored);
        resumed.putPart(2, new ByteArrayInputStream(second), second.length);
        assertThat(resumed.parts()).extracting(UploadedPart::partNumber).containsExactly(1, 2);
        resumed.complete();

        try (InputStream in = store.get("h/resumed.bin")) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(concat(first, second)));
        }
    }

    @Test
    void multipartUploadCompletesWithEtagsAClientGotFromPresignedPartPuts() throws Exception {
        byte[] first = random(PART, 7);
        byte[] second = random(4321, 8);
        MultipartUpload upload = store.startMultipart("i/presigned-parts.bin", "application/octet-stream");
        List<UploadedPart> parts = List.of(
                new UploadedPart(1, putPresignedPart("i/presigned-parts.bin", upload.uploadId(), 1, first)),
                new UploadedPart(2, putPresignedPart("i/presigned-parts.bin", upload.uploadId(), 2, second)));

        store.resumeMultipart("i/presigned-parts.bin", upload.uploadId(), parts).complete();

        try (InputStream in = store.get("i/presigned-parts.bin")) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(concat(first, second)));
        }
    }

    @Test
    void resumedMultipartUploadCanBeAborted() {
        MultipartUpload upload = store.startMultipart("j/aborted.bin", "application/octet-stream");
        upload.putPart(1, new ByteArrayInputStream(new byte[100]), 100);
        assertThat(uploadsInProgress("j/aborted.bin")).isEqualTo(1);

        store.resumeMultipart("j/aborted.bin", upload.uploadId(), upload.parts()).abort();

        assertThat(uploadsInProgress("j/aborted.bin")).isZero();
        assertThat(store.head("j/aborted.bin")).isEmpty();
    }

    @Test
    void cappedWriteFailsPastTheLimitAndLeavesNothing() throws Exception {
        ObjectOutputStream out = store.openForWrite("k/capped.bin", "application/octet-stream", PART + 10L);
        out.write(random(PART + 5, 9)); // one full part is uploaded
        assertThat(uploadsInProgress("k/capped.bin")).isEqualTo(1);

        assertThatThrownBy(() -> out.write(new byte[6])).isInstanceOf(ObjectTooLargeException.class);
        out.close();

        assertThat(uploadsInProgress("k/capped.bin")).isZero();
        assertThat(store.head("k/capped.bin")).isEmpty();
    }

    @Test
    void cappedWriteUpToTheLimitSucceeds() throws Exception {
        try (ObjectOutputStream out = store.openForWrite("k/exact.bin", "application/octet-stream", 10)) {
            out.write(new byte[4]);
            out.write(new byte[6]);
        }
        assertThat(store.head("k/exact.bin").orElseThrow().size()).isEqualTo(10);
    }

    @Test
    void abortedWriteLeavesNoObjectAndNoUpload() throws Exception {
        ObjectOutputStream out = store.openForWrite("l/aborted.bin", "application/octet-stream", Long.MAX_VALUE);
        out.write(random(PART + PART / 2, 10));
        out.abort();
        out.close();

        assertThat(uploadsInProgress("l/aborted.bin")).isZero();
        assertThat(store.head("l/aborted.bin")).isEmpty();
    }

    @Test
    void presignedPutWorksFromAPlainHttpClient() throws Exception {
        PresignedRequest put = store.presignPut("f/direct.bin", "application/octet-stream", 17, Duration.ofMinutes(5));
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.expiresAt()).isAfter(java.time.Instant.now());

        HttpRequest.Builder request = HttpRequest.newBuilder(put.url().toURI())
                .PUT(HttpRequest.BodyPublishers.ofString("uploaded directly"));
        put.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        PresignedRequest get = store.presignGet("f/direct.bin", Duration.ofMinutes(5));
        HttpResponse<String> read = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(get.url().toURI()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.body()).isEqualTo("uploaded directly");
    }

    @Test
    void aPresignedPutRefusesABodyOfAnotherLengthThanSigned() throws Exception {
        PresignedRequest put = store.presignPut("f/sized.bin", "application/octet-stream", 5, Duration.ofMinutes(5));
        assertThat(put.url().getQuery()).contains("X-Amz-SignedHeaders=content-length");
        for (String body : new String[] {"four", "sixsix"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(put.url().toURI()).PUT(HttpRequest.BodyPublishers.ofString(body));
            put.headers().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(body).isEqualTo(403);
        }
        assertThat(store.head("f/sized.bin")).isEmpty();
    }

    @Test
    void tamperedPresignedUrlIsRefused() throws Exception {
        PresignedRequest put = store.presignPut("g/direct.bin", "application/octet-stream", 1, Duration.ofMinutes(5));
        URI other = URI.create(put.url().toString().replace("g/direct.bin", "g/other.bin"));
        HttpRequest.Builder request = HttpRequest.newBuilder(other).PUT(HttpRequest.BodyPublishers.ofString("x"));
        put.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(store.head("g/other.bin")).isEmpty();
    }

    @Test
    void copyMakesASecondObjectWithTheSameBytes() throws Exception {
        store.put("h/from.bin", "copied".getBytes(UTF_8), "video/iso.segment");
        store.copy("h/from.bin", "h/to.bin");
        try (InputStream in = store.get("h/to.bin")) {
            assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("copied");
        }
        assertThatThrownBy(() -> store.copy("h/missing.bin", "h/x.bin")).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void listAndDeleteByPrefixTouchOnlyThatPrefix() {
        for (int i = 0; i < 5; i++) {
            store.put("vod/v1/r/seg-" + i + ".m4s", new byte[] {1}, "video/iso.segment");
        }
        store.put("vod/v10/keep.m4s", new byte[] {1}, "video/iso.segment");

        List<ObjectInfo> listed = store.list("vod/v1/");
        assertThat(listed).extracting(ObjectInfo::key).hasSize(5).allMatch(k -> k.startsWith("vod/v1/"));
        assertThat(store.deleteByPrefix("vod/v1/")).isEqualTo(5);
        assertThat(store.list("vod/v1/")).isEmpty();
        assertThat(store.head("vod/v10/keep.m4s")).isPresent();
        assertThatThrownBy(() -> store.deleteByPrefix("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listPageGoesThroughAPrefixAPageAtATimeInKeyOrder() {
        for (int i = 1; i <= 5; i++) {
            store.put("paged/k" + i, new byte[] {1}, "application/octet-stream");
        }
        store.put("pagedx/other", new byte[] {1}, "application/octet-stream");

        assertThat(store.listPage("paged/", null, 2)).extracting(ObjectInfo::key).containsExactly("paged/k1", "paged/k2");
        assertThat(store.listPage("paged/", "paged/k2", 2)).extracting(ObjectInfo::key).containsExactly("paged/k3", "paged/k4");
        assertThat(store.listPage("paged/", "paged/k4", 2)).extracting(ObjectInfo::key).containsExactly("paged/k5");
        assertThat(store.listPage("paged/", "paged/k5", 2)).isEmpty();
    }

    @Test
    void wrongCredentialsFailWithAnActionableMessage() {
        try (S3ObjectStore wrong = new S3ObjectStore(settings("store-test", "not-the-secret"))) {
            assertThatThrownBy(wrong::ensureBucket)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("refused access key")
                    .hasMessageContaining("CASTPIPE_S3_SECRET_KEY");
        }
    }

    @Test
    void unreachableEndpointFailsWithAnActionableMessage() {
        S3Settings nowhere = new S3Settings(URI.create("http://127.0.0.1:" + TestServices.freePort()), "us-east-1",
                "b", "k", "s", true, PART);
        try (S3ObjectStore down = new S3ObjectStore(nowhere)) {
            assertThatThrownBy(down::ensureBucket)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("is unreachable")
                    .hasMessageContaining("CASTPIPE_S3_ENDPOINT");
        }
    }

    private static String putPresignedPart(String key, String uploadId, int partNumber, byte[] bytes) throws Exception {
        PresignedRequest put = store.presignUploadPart(key, uploadId, partNumber, bytes.length, Duration.ofMinutes(5));
        HttpRequest.Builder request = HttpRequest.newBuilder(put.url().toURI())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        put.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("ETag").orElseThrow();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static long uploadsInProgress(String key) {
        return store.client().listMultipartUploads(b -> b.bucket(store.bucket()).prefix(key)).uploads().size();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
