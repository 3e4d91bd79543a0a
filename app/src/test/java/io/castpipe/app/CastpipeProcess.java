package io.castpipe.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.castpipe.common.net.FreePorts;

/** {@code ./castpipe} started as a user starts it: a separate process, configured by environment. */
final class CastpipeProcess implements AutoCloseable {
    private static final Path LAUNCHER = Path.of(System.getProperty("castpipe.launcher", "../castpipe"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Kept after the run (unlike the data folders) to read what a process did when a test failed. */
    private static final Path LOGS = Path.of("target", "process-logs");
    private static final AtomicInteger STARTED = new AtomicInteger();

    final Process process;
    final Path stdout;
    final Path stderr;
    final int httpPort;

    private CastpipeProcess(Process process, Path stdout, Path stderr, int httpPort) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.httpPort = httpPort;
    }

    static CastpipeProcess start(Map<String, String> env, String... args) throws IOException {
        String role = args.length == 0 ? "all-in-one" : args[0];
        Path logs = Files.createDirectories(LOGS.resolve(LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss"))
                + "-" + STARTED.incrementAndGet() + "-" + role));
        List<String> command = new java.util.ArrayList<>();
        command.add(LAUNCHER.toAbsolutePath().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(logs.resolve("stdout").toFile())
                .redirectError(logs.resolve("stderr").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CASTPIPE_"));
        pb.environment().put("CASTPIPE_JAVA_OPTS", "-Xmx512m");
        pb.environment().putAll(env);
        int port = Integer.parseInt(env.getOrDefault("CASTPIPE_HTTP_PORT", "8080"));
        return new CastpipeProcess(pb.start(), logs.resolve("stdout"), logs.resolve("stderr"), port);
    }

    /** Environment for an all-in-one node on free ports with its own data folder. */
    static Map<String, String> freshNode(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put("CASTPIPE_DATA_DIR", dataDir.toString());
        String[] names = {"HTTP_PORT", "KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "S3_PORT", "DB_PORT", "RTMP_PORT", "CHAT_PORT"};
        int[] ports = FreePorts.take(names.length);
        for (int i = 0; i < names.length; i++) {
            env.put("CASTPIPE_" + names[i], String.valueOf(ports[i]));
        }
        return env;
    }

    /** The values the all-in-one banner's join line prints, as a second process's environment. */
    static Map<String, String> joinValues(String banner) {
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(CASTPIPE_KAFKA_BOOTSTRAP=.*) ./castpipe transcoder")
                .matcher(banner);
        if (!line.find()) {
            throw new AssertionError("no join line in:\n" + banner);
        }
        Map<String, String> env = new HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(CASTPIPE_[A-Z0-9_]+)=('[^']*'|\\S+)").matcher(line.group(1));
        while (m.find()) {
            env.put(m.group(1), m.group(2).replace("'", ""));
        }
        return env;
    }

    /** Polls /healthz until it answers 200; returns how long that took. */
    Duration awaitHealthy(Duration limit) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("castpipe exited with " + process.exitValue() + ": " + output());
            }
            if (healthStatus() == 200) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("castpipe not healthy within " + limit + ": " + output());
    }

    /** The /healthz status, or 0 while nothing answers. */
    int healthStatus() {
        try {
            return get("/healthz").statusCode();
        } catch (java.io.UncheckedIOException e) {
            return 0;
        }
    }

    HttpResponse<String> get(String path) {
        return get(path, null);
    }

    /** /metrics, read with the admin token the node printed (an all-in-one node's). */
    String metrics() throws IOException {
        HttpResponse<String> r = get("/metrics", adminToken());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The admin token the node printed in its banner. */
    String adminToken() throws IOException {
        return stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
    }

    HttpResponse<String> get(String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends SIGTERM and waits for the exit; returns how long it took. */
    Duration terminate(Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("castpipe still running " + limit + " after SIGTERM");
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("castpipe did not exit within " + limit + ": " + output());
        }
        return process.exitValue();
    }

    String stdoutText() throws IOException {
        return Files.readString(stdout);
    }

    String stderrText() throws IOException {
        return Files.readString(stderr);
    }

    String output() {
        try {
            return "\n--- stdout\n" + stdoutText() + "\n--- stderr\n" + stderrText();
        } catch (IOException e) {
            return e.toString();
        }
    }

    static int freePort() {
        return FreePorts.one();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
