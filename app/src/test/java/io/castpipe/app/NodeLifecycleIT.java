package io.castpipe.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

import io.castpipe.common.TestServices;

/**
 * {@code ./castpipe} as an operator meets it: healthy quickly, joined by a second process,
 * stopped by SIGTERM with nothing left behind, and started again on the same data.
 */
class NodeLifecycleIT {

    @Test
    void startsJoinsStopsCleanlyAndRestartsOnTheSameData() throws Exception {
        Path data = TestServices.tempDir("node");
        Map<String, String> env = CastpipeProcess.freshNode(data);
        List<Integer> ports = env.entrySet().stream().filter(e -> e.getKey().endsWith("_PORT"))
                .map(e -> Integer.parseInt(e.getValue())).toList();

        String adminToken;
        String bootstrap;
        Set<String> groups;
        try (CastpipeProcess node = CastpipeProcess.start(env)) {
            Duration startup = node.awaitHealthy(Duration.ofSeconds(20));
            System.out.println("all-in-one node healthy after " + startup.toMillis() + " ms");
            String banner = node.stdoutText();
            adminToken = match(banner, "Admin\\s+token (\\S+)");
            assertThat(banner).contains("is up (all roles in one process)");
            assertThat(node.get("/healthz").body()).contains("\"status\":\"up\"");
            assertThat(node.metrics()).contains("jvm_memory_used_bytes");
            // The node's internals are the operator's: no token, or a user's, is refused.
            assertThat(node.get("/metrics").statusCode()).isEqualTo(401);
            assertThat(node.get("/metrics", "not-the-admin-token").statusCode()).isEqualTo(403);
            assertThat(node.get("/no/such/thing").statusCode()).isEqualTo(404);
            assertThat(banner).contains("Chat      ws://");
            assertThat(firstChatFrame(Integer.parseInt(env.get("CASTPIPE_CHAT_PORT")), "lobby"))
                    .isEqualTo("{\"type\":\"history\",\"messages\":[]}");

            // A second process joins the node's embedded Kafka, S3 and database with the printed values.
            Map<String, String> joinEnv = joinEnvironment(banner, data);
            bootstrap = CastpipeProcess.joinValues(banner).get("CASTPIPE_KAFKA_BOOTSTRAP");
            try (CastpipeProcess worker = CastpipeProcess.start(joinEnv, "transcoder")) {
                worker.awaitHealthy(Duration.ofSeconds(20));
                assertThat(worker.stdoutText()).contains("is up (role transcoder)").doesNotContain("Admin");
                assertThat(worker.terminate(Duration.ofSeconds(10))).isLessThan(Duration.ofSeconds(10));
            }

            groups = consumerGroups(bootstrap);
            List<ProcessHandle> children = node.process.descendants().toList();
            Duration stop = node.terminate(Duration.ofSeconds(10));
            System.out.println("all-in-one node stopped " + stop.toMillis() + " ms after SIGTERM");
            assertThat(children).noneMatch(ProcessHandle::isAlive);
            assertThat(node.stdoutText() + node.stderrText()).doesNotContain("Exception");
        }
        for (int port : ports) {
            assertThat(isFree(port)).as("port %d released", port).isTrue();
        }

        try (CastpipeProcess again = CastpipeProcess.start(env)) {
            again.awaitHealthy(Duration.ofSeconds(20));
            assertThat(match(again.stdoutText(), "Admin\\s+token (\\S+)")).isEqualTo(adminToken);
            assertThat(again.stdoutText()).contains("(0 migrations applied now)")
                    .doesNotContain("created bucket").doesNotContain("created Kafka topics");
            // What every node reads whole (chat, live updates, viewer counts) it reads outside any
            // group: a start leaves no new consumer group behind in the broker.
            assertThat(groups).isNotEmpty();
            Thread.sleep(3000);
            assertThat(consumerGroups(bootstrap)).isSubsetOf(groups);
            again.terminate(Duration.ofSeconds(10));
        }
    }

    @Test
    void aSecondNodeOnTheSameDataFolderIsRefused() throws Exception {
        Path data = TestServices.tempDir("node");
        try (CastpipeProcess first = CastpipeProcess.start(CastpipeProcess.freshNode(data))) {
            first.awaitHealthy(Duration.ofSeconds(20));
            try (CastpipeProcess second = CastpipeProcess.start(CastpipeProcess.freshNode(data))) {
                assertThat(second.awaitExit(Duration.ofSeconds(20))).isEqualTo(Main.EXIT_CONFIG);
                assertThat(second.stderrText().trim()).startsWith("castpipe: data folder ").contains("is in use");
            }
            first.terminate(Duration.ofSeconds(10));
        }
    }

    private static Set<String> consumerGroups(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
        }
    }

    private static Map<String, String> joinEnvironment(String banner, Path data) {
        Map<String, String> env = CastpipeProcess.joinValues(banner);
        assertThat(env).containsKeys("CASTPIPE_KAFKA_BOOTSTRAP", "CASTPIPE_S3_ENDPOINT", "CASTPIPE_S3_SECRET_KEY",
                "CASTPIPE_DB_URL", "CASTPIPE_DB_PASSWORD");
        env.put("CASTPIPE_HTTP_PORT", String.valueOf(CastpipeProcess.freePort()));
        env.put("CASTPIPE_DATA_DIR", data.resolve("worker").toString());
        return env;
    }

    /** What a read-only chat client is sent first on joining a room. */
    private static String firstChatFrame(int port, String channel) throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat/" + channel), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            return first.get(10, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in:%n%s", regex, text).isTrue();
        return m.group(1);
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
