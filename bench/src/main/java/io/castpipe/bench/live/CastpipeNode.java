package io.castpipe.bench.live;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.net.FreePorts;

/**
 * An all-in-one {@code ./castpipe} started as a user starts it, on free ports with its own data
 * folder, and one channel created through its API.
 */
public final class CastpipeNode implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path stdout;
    private final String base;
    public final int httpPort;
    public final int rtmpPort;
    public final int chatPort;
    private String userToken;

    private CastpipeNode(Process process, Path stdout, int httpPort, int rtmpPort, int chatPort) {
        this.process = process;
        this.stdout = stdout;
        this.base = "http://127.0.0.1:" + httpPort;
        this.httpPort = httpPort;
        this.rtmpPort = rtmpPort;
        this.chatPort = chatPort;
    }

    /** Starts the node and waits until it is healthy; {@code extraEnv} is passed on (e.g. live segment length). */
    public static CastpipeNode start(Path home, Path dir, Map<String, String> extraEnv) throws Exception {
        String[] others = {"KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "S3_PORT", "DB_PORT", "CHAT_PORT"};
        int[] ports = FreePorts.take(2 + others.length);
        int http = ports[0];
        int rtmp = ports[1];
        ProcessBuilder pb = new ProcessBuilder(home.resolve("castpipe").toString())
                .redirectOutput(dir.resolve("castpipe.out").toFile())
                .redirectError(dir.resolve("castpipe.err").toFile());
        Map<String, String> env = pb.environment();
        env.put("CASTPIPE_DATA_DIR", dir.resolve("data").toString());
        env.put("CASTPIPE_HTTP_PORT", String.valueOf(http));
        env.put("CASTPIPE_RTMP_PORT", String.valueOf(rtmp));
        for (int i = 0; i < others.length; i++) {
            env.put("CASTPIPE_" + others[i], String.valueOf(ports[2 + i]));
        }
        env.putAll(extraEnv);
        CastpipeNode node = new CastpipeNode(pb.start(), dir.resolve("castpipe.out"), http, rtmp,
                Integer.parseInt(env.get("CASTPIPE_CHAT_PORT")));
        node.awaitHealthy(Duration.ofMinutes(3));
        return node;
    }

    private void awaitHealthy(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("castpipe exited with " + process.exitValue() + ", see " + stdout.getParent());
            }
            if (status(base + "/healthz") == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("castpipe not healthy within " + limit);
    }

    /**
     * Creates a channel, and at the first call the user who owns it; returns the channel as the
     * API describes it (streamKey, playbackUrl…).
     */
    public JsonNode createChannel(String name, String latency) throws Exception {
        if (userToken == null) {
            Matcher admin = Pattern.compile("Admin\\s+token (\\S+)").matcher(Files.readString(stdout));
            if (!admin.find()) {
                throw new IllegalStateException("no admin token in the banner");
            }
            userToken = post("/api/users", admin.group(1), "{\"name\":\"bench\"}").get("token").asText();
        }
        return post("/api/channels", userToken, "{\"name\":\"" + name + "\",\"latency\":\"" + latency + "\"}");
    }

    /** The token of the user {@link #createChannel} made. */
    public String userToken() {
        return userToken;
    }

    /** The JVM's process id: {@code ./castpipe} execs java. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String rtmpUrl(String streamKey) {
        return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + streamKey;
    }

    public String url(String path) {
        return base + path;
    }

    private JsonNode post(String path, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " → " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** GET {@code path} as the user {@link #createChannel} made; null unless 200. */
    public JsonNode getAsUser(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + userToken).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static int status(String url) {
        HttpResponse<String> r = get(url);
        return r == null ? 0 : r.statusCode();
    }

    /** The body of a 200 answer, or "" for anything else. */
    static String body(String url) {
        HttpResponse<String> r = get(url);
        return r != null && r.statusCode() == 200 ? r.body() : "";
    }

    private static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
