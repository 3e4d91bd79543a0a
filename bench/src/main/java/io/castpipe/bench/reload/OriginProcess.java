package io.castpipe.bench.reload;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.castpipe.bench.ScratchDirectory;
import io.castpipe.bench.StdinCommands;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;
import io.castpipe.common.http.HttpBounds;
import io.castpipe.common.http.HttpServer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.net.FreePorts;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;
import io.castpipe.origin.OriginService;

/**
 * The origin under test, in a JVM of its own so that its threads, heap and file descriptors
 * are its own and not the clients': the embedded Kafka broker and S3 server, and a real
 * {@link OriginService} on its own {@link HttpServer}. Prints {@code ready <http-port>
 * <kafka-bootstrap>} once it serves; then answers the {@link StdinCommands}, and {@code video <id>}
 * by writing that video's access record as the API would (so that its stream is served), with
 * {@code video <id>}; it stops at the end of stdin.
 */
public final class OriginProcess {
    static final String TOPIC_PREFIX = "bench.";
    private static final String S3_ACCESS = "bench-access";
    private static final String S3_SECRET = "bench-secret-key";

    private OriginProcess() {
    }

    public static void main(String[] args) throws Exception {
        try (ScratchDirectory dir = new ScratchDirectory("castpipe-bench-origin")) {
            serve(dir.path);
        }
    }

    private static void serve(Path dir) throws Exception {
        int[] ports = FreePorts.take(4);
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", ports[0], ports[1]).start();
             EmbeddedS3 s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", ports[2], S3_ACCESS, S3_SECRET)
                     .start();
             S3ObjectStore store = new S3ObjectStore(new S3Settings(URI.create(s3.endpoint()), "us-east-1", "live",
                     S3_ACCESS, S3_SECRET, true, 5 * 1024 * 1024));
             Metrics metrics = new Metrics("origin")) {
            store.ensureBucket();
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "bench-origin", Duration.ofSeconds(15));
            Topics topics = new Topics(TOPIC_PREFIX);
            topics.ensureCreated(kafka, 1, (short) 1);
            int port = ports[3];
            // The benchmark's 10,000 clients all connect from 127.0.0.1: neither the per-address
            // connection budget nor the per-address share of waiting requests is what is measured.
            HttpServer http = new HttpServer("127.0.0.1", port).bounds(HttpBounds.defaults().withConnections(20_000, 20_000));
            CastpipeConfig config = CastpipeConfig.from(Map.of(Setting.ORIGIN_BLOCKED_PER_ADDRESS.env(), "50000"));
            NodeContext ctx = new NodeContext(config, Files.createDirectories(dir.resolve("data")),
                    kafka, topics, store, null, null, http, metrics, null, "bench-signing-secret");
            try (OriginService origin = new OriginService(ctx)) {
                origin.start();
                http.start();
                StdinCommands.reply("ready " + port + " " + broker.bootstrapServers());
                StdinCommands.answerUntilEnd(line -> {
                    if (!line.startsWith("video ")) {
                        return false;
                    }
                    String id = Ids.require(line.substring("video ".length()));
                    store.put(ObjectKeys.accessRecord(id), AccessRecords.of("public"), AccessRecords.CONTENT_TYPE);
                    StdinCommands.reply("video " + id);
                    return true;
                });
            } finally {
                http.close();
            }
        }
    }
}
