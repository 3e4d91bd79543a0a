package io.castpipe.origin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.http.HttpBounds;
import io.castpipe.common.http.HttpServer;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import io.castpipe.embedded.EmbeddedS3;

/**
 * A real origin: the embedded S3 server (one per test JVM), the S3 object store behind a
 * {@link CountingObjectStore}, a real {@link HttpServer} on a free port with an
 * {@link OriginService} mounted, and an HTTP client for it.
 */
final class OriginFixture implements AutoCloseable {
    static final String SIGNING_SECRET = "test-signing-secret";
    static final Topics TOPICS = new Topics("origintest.");
    private static final String S3_ACCESS = TestServices.S3_ACCESS_KEY;
    private static final String S3_SECRET = TestServices.S3_SECRET_KEY;

    final CountingObjectStore store;
    final OriginService origin;
    final Metrics metrics;
    final int port;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpServer http;

    private OriginFixture(CountingObjectStore store, OriginService origin, Metrics metrics, HttpServer http, int port) {
        this.store = store;
        this.origin = origin;
        this.metrics = metrics;
        this.http = http;
        this.port = port;
    }

    static EmbeddedS3 s3() throws Exception {
        return TestServices.s3();
    }

    /** @param adminToken the node's admin token, or null as on an origin-only node */
    static OriginFixture start(String bucket, Map<String, String> env, String adminToken) throws Exception {
        S3ObjectStore s3Store = new S3ObjectStore(new S3Settings(URI.create(s3().endpoint()), "us-east-1", bucket,
                S3_ACCESS, S3_SECRET, true, 5 * 1024 * 1024));
        s3Store.ensureBucket();
        CountingObjectStore store = new CountingObjectStore(s3Store);
        int port = freePort();
        // Every viewer of these tests connects from 127.0.0.1, a thousand at once in some.
        HttpServer http = new HttpServer("127.0.0.1", port).bounds(HttpBounds.defaults().withConnections(10_000, 10_000));
        Metrics metrics = new Metrics("origin");
        Path dataDir = TestServices.tempDir("origin-data");
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "origin-test", Duration.ofSeconds(15));
        Topics topics = TOPICS;
        topics.ensureCreated(kafka, 1, (short) 1);
        NodeContext ctx = new NodeContext(CastpipeConfig.from(env), dataDir, kafka, topics, store, null, null, http,
                metrics, adminToken, SIGNING_SECRET);
        OriginService origin = new OriginService(ctx);
        origin.start();
        http.start();
        return new OriginFixture(store, origin, metrics, http, port);
    }

    static OriginFixture start(String bucket) throws Exception {
        return start(bucket, Map.of(), null);
    }

    /** A producer on the topics the origins read, for the announcements a packager or ingest would make. */
    static EventPublisher publisher() throws Exception {
        return new EventPublisher(new KafkaSettings(TestServices.kafka().bootstrapServers(), "test", Duration.ofSeconds(15)),
                TOPICS, "test");
    }

    /**
     * Writes the access record the API writes before a video (or a live stream's recording, whose
     * id is the stream's) exists, or {@code "deleted"}, the tombstone it writes when it deletes one.
     */
    void accessRecord(String videoId, String visibility) {
        store.put(ObjectKeys.accessRecord(videoId), AccessRecords.of(visibility), AccessRecords.CONTENT_TYPE);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        return send("GET", path, headers);
    }

    HttpResponse<byte[]> send(String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code target} byte for byte as the request target, so nothing normalises or escapes it. */
    RawResponse raw(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return RawResponse.parse(in.readAllBytes());
        }
    }

    @Override
    public void close() {
        http.close();
        origin.close();
        metrics.close();
        store.close();
    }

    static int freePort() {
        return TestServices.freePort();
    }

    record RawResponse(int status, Map<String, String> headers, byte[] body) {
        static RawResponse parse(byte[] all) {
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(all, end + 4, all.length);
            return new RawResponse(status, headers, body);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
