package io.castpipe.bench.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.castpipe.common.net.FreePorts;
import io.castpipe.embedded.EmbeddedDatabase;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;

/**
 * The roles as separate {@code ./castpipe ROLE} processes, against a Kafka broker, an S3 server
 * and a database this JVM serves, so that each dependency can be stopped and started again and
 * each process killed with SIGKILL and started again on the same ports.
 */
final class Cluster implements AutoCloseable {
    enum Role {
        API("api"), TRANSCODER_1("transcoder"), TRANSCODER_2("transcoder"), CHAT("chat"), INGEST("ingest"), ORIGIN("origin");

        final String command;

        Role(String command) {
            this.command = command;
        }
    }

    static final String ADMIN = "chaos-admin-token-5h2k8m4q1x7w3z9v6b0n";
    private static final String ACCESS_KEY = "castpipe";
    private static final String SECRET_KEY = "chaos-bench-secret-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path home;
    private final Path dir;
    private final int kafkaPort;
    private final int controllerPort;
    private final int s3Port;
    private final int dbPort;
    final int rtmpPort;
    final int chatPort;
    private final Map<Role, Integer> httpPorts = new EnumMap<>(Role.class);
    private final Map<Role, Process> processes = new EnumMap<>(Role.class);
    private final Map<Role, Integer> starts = new EnumMap<>(Role.class);
    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;
    private EmbeddedDatabase db;

    Cluster(Path home, Path dir) throws IOException {
        this.home = home;
        this.dir = Files.createDirectories(dir);
        int[] ports = FreePorts.take(6 + Role.values().length);
        kafkaPort = ports[0];
        controllerPort = ports[1];
        s3Port = ports[2];
        dbPort = ports[3];
        rtmpPort = ports[4];
        chatPort = ports[5];
        for (Role r : Role.values()) {
            httpPorts.put(r, ports[6 + r.ordinal()]);
        }
        // A run stopped with Ctrl-C or SIGTERM takes its processes with it.
        Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "chaos-cluster-stop"));
    }

    void start() throws Exception {
        startKafka();
        startS3();
        startDatabase();
        for (Role r : Role.values()) {
            startRole(r);
        }
        for (Role r : Role.values()) {
            awaitReady(r, Duration.ofMinutes(3));
        }
    }

    void startKafka() throws Exception {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", kafkaPort, controllerPort).start();
    }

    void stopKafka() {
        kafka.close();
    }

    void startS3() throws Exception {
        s3 = new EmbeddedS3(dir.resolve("s3"), "127.0.0.1", s3Port, ACCESS_KEY, SECRET_KEY).start();
    }

    void stopS3() {
        s3.close();
    }

    void startDatabase() throws Exception {
        db = new EmbeddedDatabase(dir.resolve("db"), dbPort).start();
    }

    void stopDatabase() {
        db.close();
    }

    /** SIGKILL: no shutdown hook, nothing flushed. */
    void kill(Role role) throws InterruptedException {
        Process p = processes.get(role);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
    }

    synchronized void startRole(Role role) throws IOException {
        int n = starts.merge(role, 1, Integer::sum);
        Path log = dir.resolve("logs").resolve(role.name().toLowerCase() + "-" + n + ".out");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(home.resolve("castpipe").toString(), role.command)
                .redirectOutput(log.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("CASTPIPE_"));
        pb.environment().putAll(environment(role));
        processes.put(role, pb.start());
    }

    private Map<String, String> environment(Role role) {
        Map<String, String> env = new HashMap<>();
        env.put("CASTPIPE_JAVA_OPTS", "-Xmx512m");
        env.put("CASTPIPE_DATA_DIR", dir.resolve(role.name().toLowerCase()).toString());
        env.put("CASTPIPE_HTTP_PORT", String.valueOf(httpPorts.get(role)));
        env.put("CASTPIPE_RTMP_PORT", String.valueOf(rtmpPort));
        env.put("CASTPIPE_CHAT_PORT", String.valueOf(chatPort));
        env.put("CASTPIPE_KAFKA_BOOTSTRAP", "127.0.0.1:" + kafkaPort);
        env.put("CASTPIPE_S3_ENDPOINT", "http://127.0.0.1:" + s3Port);
        env.put("CASTPIPE_S3_ACCESS_KEY", ACCESS_KEY);
        env.put("CASTPIPE_S3_SECRET_KEY", SECRET_KEY);
        env.put("CASTPIPE_DB_URL", db.tcpUrl("127.0.0.1"));
        env.put("CASTPIPE_DB_USER", "castpipe");
        env.put("CASTPIPE_DB_PASSWORD", "chaos-db-password-2m7q9x4k");
        env.put("CASTPIPE_ADMIN_TOKEN", ADMIN);
        env.put("CASTPIPE_SIGNING_SECRET", "chaos-signing-secret-8d3n6p1r4t7v0x2z5b9k");
        env.put("CASTPIPE_PUBLIC_URL", api(""));
        return env;
    }

    void awaitReady(Role role, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (status(role, "/readyz") != 200) {
            if (!processes.get(role).isAlive()) {
                throw new IllegalStateException(role + " exited; see " + dir.resolve("logs"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(role + " not ready within " + limit + "; see " + dir.resolve("logs"));
            }
            Thread.sleep(250);
        }
    }

    /** The roles whose {@code /readyz} does not answer 200 now. */
    List<Role> notReady() {
        List<Role> out = new ArrayList<>();
        for (Role r : Role.values()) {
            if (status(r, "/readyz") != 200) {
                out.add(r);
            }
        }
        return out;
    }

    String api(String path) {
        return "http://127.0.0.1:" + httpPorts.get(Role.API) + path;
    }

    String origin(String path) {
        return "http://127.0.0.1:" + httpPorts.get(Role.ORIGIN) + path;
    }

    /** Everything the processes of {@code role} logged, every start of it. */
    String logs(Role role) throws IOException {
        StringBuilder all = new StringBuilder();
        for (int n = 1; n <= starts.getOrDefault(role, 0); n++) {
            all.append(Files.readString(dir.resolve("logs").resolve(role.name().toLowerCase() + "-" + n + ".out")));
        }
        return all.toString();
    }

    private int status(Role role, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(role) + path))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private synchronized void killAll() {
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Override
    public void close() {
        killAll();
        for (AutoCloseable c : new AutoCloseable[] {db, s3, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing what may be closed already
            }
        }
    }
}
