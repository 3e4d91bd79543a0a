package io.castpipe.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.net.FreePorts;

/**
 * {@code deploy/run-topology} run as an operator runs it: one script, every process of the
 * production topology under it. The test reaches the processes only as the operator does: the
 * ports the script documents, the pid files, the logs.
 */
final class DeployedTopology implements AutoCloseable {
    /** The Castpipe role processes and the offset of each one's HTTP port from the port base. */
    static final Map<String, Integer> ROLES = Map.of("ingest", 10, "transcoder-1", 11, "transcoder-2", 12,
            "origin-1", 13, "origin-2", 14, "chat-1", 15, "chat-2", 16, "api", 17);
    static final Path SCRIPT = Path.of("..", "deploy", "run-topology");
    private static final Path LOGS = Path.of("target", "process-logs");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Path dir;
    final int base;
    final int cdnPort;
    final int rtmpPort;
    private final Process script;
    private final Path output;

    private DeployedTopology(Path dir, int base, int cdnPort, int rtmpPort, Process script, Path output) {
        this.dir = dir;
        this.base = base;
        this.cdnPort = cdnPort;
        this.rtmpPort = rtmpPort;
        this.script = script;
        this.output = output;
    }

    static boolean installable() {
        return Files.isExecutable(Path.of("/usr/sbin/nginx")) && Files.isDirectory(Path.of("/usr/lib/postgresql"));
    }

    /** Starts the script and waits until nginx answers and every role is ready. */
    static DeployedTopology start(Duration limit) throws Exception {
        // As root the script runs PostgreSQL as user postgres, which must reach the folder.
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "castpipe-topology",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        int[] ports = FreePorts.take(2);
        int base = freeRange(20);
        Path logs = Files.createDirectories(LOGS.resolve(LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss")) + "-topology"));
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toAbsolutePath().toString(), dir.toString())
                .redirectErrorStream(true).redirectOutput(logs.resolve("script").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CASTPIPE_"));
        pb.environment().put("TOPOLOGY_PORT_BASE", String.valueOf(base));
        pb.environment().put("TOPOLOGY_CDN_PORT", String.valueOf(ports[0]));
        pb.environment().put("TOPOLOGY_RTMP_PORT", String.valueOf(ports[1]));
        pb.environment().put("CASTPIPE_HOST", "127.0.0.1");
        DeployedTopology t = new DeployedTopology(dir, base, ports[0], ports[1], pb.start(), logs);
        try {
            long deadline = System.nanoTime() + limit.toNanos();
            for (String role : ROLES.keySet()) {
                t.awaitReady(role, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            while (t.status(t.cdn("/healthz")) != 200) {
                t.check(deadline, "nginx answering /healthz from the api");
            }
        } catch (Exception | AssertionError e) {
            t.close();
            throw e;
        }
        return t;
    }

    String adminToken() throws IOException {
        return Files.readAllLines(dir.resolve("secrets.env")).stream().filter(l -> l.startsWith("CASTPIPE_ADMIN_TOKEN="))
                .findFirst().orElseThrow().substring("CASTPIPE_ADMIN_TOKEN=".length());
    }

    /** A URL through nginx, the address viewers use. */
    String cdn(String path) {
        return "http://127.0.0.1:" + cdnPort + path;
    }

    String rtmp(String streamKey) {
        return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + streamKey;
    }

    /** The pid the script wrote for {@code name}; -1 while there is none. */
    long pid(String name) throws IOException {
        Path file = dir.resolve("pids").resolve(name);
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (java.nio.file.NoSuchFileException gone) {
            return -1;
        }
    }

    /** SIGKILL, as the kernel's OOM killer or a crash ends a process: no shutdown hook runs. */
    void kill(String name) throws Exception {
        ProcessHandle process = ProcessHandle.of(pid(name)).orElseThrow(() -> new AssertionError(name + " is not running"));
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Waits until a process the script started after {@code killedPid} answers {@code /readyz} with 200. */
    void awaitRestarted(String role, long killedPid, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (pid(role) == killedPid || pid(role) == -1) {
            check(deadline, role + " started again");
        }
        awaitReady(role, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    void awaitReady(String role, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (status("http://127.0.0.1:" + (base + ROLES.get(role)) + "/readyz") != 200) {
            check(deadline, role + " ready");
        }
    }

    /** What a process logged, every start of it. */
    String log(String name) throws IOException {
        Path file = dir.resolve("logs").resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private void check(long deadline, String what) throws Exception {
        if (!script.isAlive()) {
            throw new AssertionError("deploy/run-topology exited (" + script.exitValue() + ") waiting for " + what
                    + ":\n" + Files.readString(output.resolve("script")));
        }
        if (System.nanoTime() > deadline) {
            throw new AssertionError("waited in vain for " + what + "; logs in " + output);
        }
        Thread.sleep(250);
    }

    int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** SIGTERM to the script, which stops everything; whatever outlives it is killed; the logs are kept. */
    @Override
    public void close() throws Exception {
        script.destroy();
        if (!script.waitFor(90, TimeUnit.SECONDS)) {
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var pids = Files.list(dir.resolve("pids"))) {
            for (Path file : pids.toList()) {
                long pid = pid(file.getFileName().toString());
                if (pid > 0) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException e) {
            // no pid folder: the script stopped before it started anything
        }
        copyLogs();
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void copyLogs() throws IOException {
        List<Path> logs;
        try (var files = Files.list(dir.resolve("logs"))) {
            logs = files.toList();
        } catch (IOException e) {
            return;
        }
        for (Path log : logs) {
            Files.copy(log, output.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A base port below the ephemeral range with {@code count} free ports from it on. */
    private static int freeRange(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (freeFrom(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " free ports in a row");
    }

    private static boolean freeFrom(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
