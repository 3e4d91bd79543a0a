package io.castpipe.api;

import io.castpipe.common.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.config.Setting;
import io.castpipe.common.db.Database;
import io.castpipe.common.http.HttpServer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * An api node as the launcher builds one: the real Kafka broker and S3 server, an H2 database in
 * PostgreSQL mode, an HTTP listener on a free port with {@link ApiService} mounted on it.
 */
final class ApiTestNode implements AutoCloseable {
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    static final String SIGNING_SECRET = "test-signing-secret";
    static final String BUCKET = "api-test";
    static final int PART_SIZE = 5 * 1024 * 1024;

    private static ApiTestNode shared;

    final String baseUrl;
    final Path dataDir;
    final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    final String topicPrefix;
    /** The shared node's is {@link #BUCKET}; an isolated node has its own, so that sweeping uploads/ sees only its videos. */
    final String bucket;
    final CastpipeConfig config;
    final S3ObjectStore store;
    final Database database;
    final KafkaSettings kafka;
    final Topics topics;
    final ApiService service;
    private final HttpServer http;

    private ApiTestNode(Map<String, String> env, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                        String topicPrefix, String bucket) throws Exception {
        this.dataDir = dataDir;
        this.bucket = bucket;
        this.dbUrl = dbUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        this.topicPrefix = topicPrefix;
        int port = TestServices.freePort();
        this.baseUrl = "http://127.0.0.1:" + port;
        Map<String, String> all = new HashMap<>(env);
        all.put(Setting.PUBLIC_URL.env(), baseUrl);
        all.put(Setting.S3_BUCKET.env(), bucket);
        all.put(Setting.S3_PART_SIZE_MB.env(), String.valueOf(PART_SIZE / (1024 * 1024)));
        all.put(Setting.DATA_DIR.env(), dataDir.toString());
        // Every test shares the loopback address and a few users; RateLimitsTest starts a node with its own limits.
        all.putIfAbsent(Setting.API_READS_PER_MINUTE.env(), "1000000");
        all.putIfAbsent(Setting.API_WRITES_PER_MINUTE.env(), "1000000");
        this.config = CastpipeConfig.from(all);
        String endpoint = TestServices.s3().endpoint();
        this.store = new S3ObjectStore(new S3Settings(URI.create(endpoint), "us-east-1", bucket,
                TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY, true, PART_SIZE));
        store.ensureBucket();
        this.database = Database.open(dbUrl, dbUser, dbPassword, 4);
        this.kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "api-test", Duration.ofSeconds(15));
        this.topics = new Topics(topicPrefix);
        topics.ensureCreated(kafka, 2, (short) 1);
        this.http = new HttpServer("127.0.0.1", port);
        NodeContext ctx = new NodeContext(config, dataDir, kafka, topics, store, database, null, http, new Metrics("api"),
                ADMIN_TOKEN, SIGNING_SECRET);
        this.service = new ApiService(ctx);
        service.start();
        http.start();
    }

    /**
     * The node most tests share, with the default upload limit. Its database is PostgreSQL when
     * CASTPIPE_TEST_POSTGRES_URL (with _USER and _PASSWORD) names one, as the CI run does, so the
     * api's SQL is proved there too; H2 otherwise.
     */
    static synchronized ApiTestNode shared() throws Exception {
        if (shared == null) {
            String pg = System.getenv("CASTPIPE_TEST_POSTGRES_URL");
            if (pg != null && !pg.isBlank()) {
                String user = System.getenv().getOrDefault("CASTPIPE_TEST_POSTGRES_USER", "castpipe");
                String password = System.getenv().getOrDefault("CASTPIPE_TEST_POSTGRES_PASSWORD", "castpipe");
                try (Connection c = DriverManager.getConnection(pg, user, password); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA public CASCADE");
                    st.execute("CREATE SCHEMA public");
                }
                shared = new ApiTestNode(Map.of(), TestServices.tempDir("node").resolve("data"), pg, user, password, "",
                        BUCKET);
            } else {
                shared = start(Map.of(), "", BUCKET);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A node of its own: own database, data folder, topics and bucket. */
    private static ApiTestNode start(Map<String, String> env, String topicPrefix, String bucket) throws Exception {
        Path dir = TestServices.tempDir("node");
        String db = "jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        return new ApiTestNode(env, dir.resolve("data"), db, "castpipe", "secret", topicPrefix, bucket);
    }

    /**
     * A node of its own. Its topics need a prefix of their own too: nodes sharing topics would
     * share the api's consumer group, and one node's database would miss events the other took.
     */
    static ApiTestNode isolated(Map<String, String> env) throws Exception {
        String name = "t" + UUID.randomUUID().toString().substring(0, 8);
        return start(env, name + ".", BUCKET + "-" + name);
    }

    /** Stops this node and starts another on its data folder, database and topics, on a new port. */
    ApiTestNode restart() throws Exception {
        close();
        return new ApiTestNode(Map.of(), dataDir, dbUrl, dbUser, dbPassword, topicPrefix, bucket);
    }

    /** Multipart uploads S3 still holds open under {@code key}, seen through the S3 API itself. */
    int multipartUploadsInProgress(String key) throws Exception {
        try (S3Client s3 = s3Client()) {
            return s3.listMultipartUploads(b -> b.bucket(bucket).prefix(key)).uploads().size();
        }
    }

    private static S3Client s3Client() throws Exception {
        return S3Client.builder()
                .endpointOverride(URI.create(TestServices.s3().endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    /** Parts S3 holds of the multipart upload that {@code partUrl}, a presigned part URL, names. */
    int partsStored(String key, String partUrl) throws Exception {
        String query = URI.create(partUrl).getRawQuery();
        String uploadId = java.net.URLDecoder.decode(query.replaceAll(".*(?:^|&)uploadId=([^&]*).*", "$1"),
                java.nio.charset.StandardCharsets.UTF_8);
        try (S3Client s3 = s3Client()) {
            return s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts().size();
        }
    }

    /** Makes an upload's expiry a minute past, as if a day had gone by. */
    void expireUpload(String uploadId) throws Exception {
        try (Connection c = database.connection();
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE uploads SET expires_at = ? WHERE id = ?")) {
            ps.setObject(1, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1));
            ps.setString(2, uploadId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no upload " + uploadId);
            }
        }
    }

    /**
     * The stream.control orders for a channel (keyed by its id), read from the topic's start until
     * there are {@code count} of them or {@code limit} is up.
     */
    List<StreamControl> controlOrders(String channelId, int count, Duration limit) {
        List<StreamControl> orders = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("t-" + UUID.randomUUID()))) {
            c.subscribe(List.of(topics.name(Topic.STREAM_CONTROL)));
            long deadline = System.nanoTime() + limit.toNanos();
            while (orders.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (channelId.equals(r.key())) {
                        orders.add(EventCodec.decode(r.value(), StreamControl.class));
                    }
                }
            }
        }
        return orders;
    }

    /** The video's access record as stored, or null when it has none. */
    String accessRecord(String videoId) throws Exception {
        if (store.head(ObjectKeys.accessRecord(videoId)).isEmpty()) {
            return null;
        }
        try (java.io.InputStream in = store.get(ObjectKeys.accessRecord(videoId))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    HttpTestClient client() {
        return new HttpTestClient(baseUrl);
    }

    @Override
    public void close() {
        service.close();
        http.close();
        database.close();
        store.close();
    }
}
