package io.castpipe.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.net.FreePorts;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /readyz} and {@code /livez} of a {@code ./castpipe transcoder} whose S3 server, and then
 * whose Kafka broker, is stopped for a while and started again (real servers in this JVM, on the
 * same ports and folders): not ready while one is away, ready again once it is back, live all
 * along, its loops still running afterwards.
 */
class HealthIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_KEY = "castpipe";
    private static final String SECRET_KEY = "health-test-secret-key-0123456789abcdef";
    private static final Duration AWAY = Duration.ofSeconds(15);

    @Test
    void readinessFollowsTheDependenciesWhileLivenessStaysUp() throws Exception {
        Path dir = TestServices.tempDir("health");
        int[] ports = FreePorts.take(4);
        EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", ports[0], ports[1]).start();
        EmbeddedS3 s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", ports[2], ACCESS_KEY, SECRET_KEY).start();
        Map<String, String> env = new HashMap<>();
        env.put("CASTPIPE_DATA_DIR", dir.resolve("data").toString());
        env.put("CASTPIPE_HTTP_PORT", String.valueOf(ports[3]));
        env.put("CASTPIPE_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        env.put("CASTPIPE_S3_ENDPOINT", s3.endpoint());
        env.put("CASTPIPE_S3_ACCESS_KEY", ACCESS_KEY);
        env.put("CASTPIPE_S3_SECRET_KEY", SECRET_KEY);
        try (CastpipeProcess node = CastpipeProcess.start(env, "transcoder")) {
            node.awaitHealthy(Duration.ofSeconds(60));
            JsonNode ready = body(node, "/readyz", 200);
            assertThat(ready.get("dependencies").get("kafka").asText()).isEqualTo("up");
            assertThat(ready.get("dependencies").get("storage").asText()).isEqualTo("up");
            assertThat(ready.get("loops").get("live-transcoder").get("state").asText()).isEqualTo("running");
            assertThat(ready.get("loops").get("vod-worker-0").get("state").asText()).isEqualTo("running");
            assertThat(body(node, "/healthz", 200).get("dependencies")).as("/healthz is readiness").isEqualTo(ready.get("dependencies"));

            s3.close();
            Duration storageNoticed = awaitStatus(node, "/readyz", 503, Duration.ofSeconds(20));
            JsonNode storageDown = body(node, "/readyz", 503);
            assertThat(storageDown.get("dependencies").get("storage").asText()).isEqualTo("down");
            assertThat(storageDown.get("dependencies").get("kafka").asText()).isEqualTo("up");
            staysLive(node, "storage");
            s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", ports[2], ACCESS_KEY, SECRET_KEY).start();
            Duration storageBack = awaitStatus(node, "/readyz", 200, Duration.ofSeconds(20));

            kafka.close();
            Duration kafkaNoticed = awaitStatus(node, "/readyz", 503, Duration.ofSeconds(20));
            assertThat(body(node, "/readyz", 503).get("dependencies").get("kafka").asText()).isEqualTo("down");
            staysLive(node, "Kafka");
            kafka = new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", ports[0], ports[1]).start();
            Duration kafkaBack = awaitStatus(node, "/readyz", 200, Duration.ofSeconds(30));

            JsonNode after = body(node, "/livez", 200);
            assertThat(after.get("loops").get("live-transcoder").get("state").asText()).isEqualTo("running");
            assertThat(after.get("loops").get("vod-worker-0").get("state").asText()).isEqualTo("running");
            System.out.println("readiness: storage stopped → 503 after " + storageNoticed.toMillis() + " ms, back → 200 after "
                    + storageBack.toMillis() + " ms; Kafka stopped → 503 after " + kafkaNoticed.toMillis()
                    + " ms, back → 200 after " + kafkaBack.toMillis() + " ms; loops " + after.get("loops"));
            node.terminate(Duration.ofSeconds(20));
        } finally {
            s3.close();
            kafka.close();
        }
    }

    /** Checks /livez every half second while a dependency is away: a node that is not ready is still live. */
    private static void staysLive(CastpipeProcess node, String away) throws Exception {
        long end = System.nanoTime() + AWAY.toNanos();
        while (System.nanoTime() < end) {
            var r = node.get("/livez");
            assertThat(r.statusCode()).as("live while " + away + " is away: " + r.body()).isEqualTo(200);
            assertThat(node.get("/readyz").statusCode()).as("not ready while " + away + " is away").isEqualTo(503);
            Thread.sleep(500);
        }
    }

    private static JsonNode body(CastpipeProcess node, String path, int status) throws Exception {
        var r = node.get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    /** Polls until {@code path} answers {@code status}; returns how long that took. */
    private static Duration awaitStatus(CastpipeProcess node, String path, int status, Duration limit) throws Exception {
        long start = System.nanoTime();
        while (node.get(path).statusCode() != status) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(path + " answering " + status + " within " + limit)
                    .isLessThan(limit);
            Thread.sleep(200);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
