package io.castpipe.origin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.TestServices;

import static org.awaitility.Awaitility.await;

/**
 * Debian's nginx running the CDN configuration Castpipe ships, {@code deploy/nginx/nginx.conf},
 * in front of a test origin: only what cannot be the same here is rewritten — the upstream
 * addresses, the listen port, the log, cache, temporary and pid paths, and the user — so that the
 * shipped file is what is tested.
 */
final class BundledNginx implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/nginx");
    /** The shipped configuration, from the origin module's folder (where Maven runs its tests). */
    static final Path SHIPPED_CONF = Path.of("..", "deploy", "nginx", "nginx.conf");

    final int port;
    private final Process process;
    private final Path dir;

    private BundledNginx(int port, Process process, Path dir) {
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts nginx with every upstream (origins, API, chat) pointed at {@code originPort} on loopback. */
    static BundledNginx start(int originPort) throws Exception {
        Path dir = TestServices.tempDir("nginx");
        int port = TestServices.freePort();
        String origin = "127.0.0.1:" + originPort;
        String conf = Files.readString(SHIPPED_CONF);
        conf = replace(conf, "user nginx;", "user " + System.getProperty("user.name") + ";");
        conf = replace(conf, "/var/log/nginx/", dir + "/");
        conf = replace(conf, "/var/cache/nginx/hls", dir.resolve("cache").toString());
        conf = replace(conf, "http {\n", "http {\n    client_body_temp_path " + dir.resolve("body") + ";\n"
                + "    proxy_temp_path " + dir.resolve("proxy") + ";\n    fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
                + "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n    scgi_temp_path " + dir.resolve("scgi") + ";\n");
        conf = replace(conf, "origin-1:8080", origin);
        conf = replace(conf, "origin-2:8080", origin);
        conf = replace(conf, "api:8080", origin);
        conf = replace(conf, "chat-1:8081", origin);
        conf = replace(conf, "chat-2:8081", origin);
        conf = replace(conf, "listen 80 default_server;", "listen 127.0.0.1:" + port + " default_server;");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process process = new ProcessBuilder(BINARY.toString(), "-p", dir + "/", "-e", dir.resolve("startup.log").toString(),
                "-c", file.toString(), "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        BundledNginx nginx = new BundledNginx(port, process, dir);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx stopped: " + Files.readString(dir.resolve("stdout.log")));
                }
                return accepts(port);
            });
        } catch (RuntimeException e) {
            nginx.close();
            throw e;
        }
        return nginx;
    }

    /** What nginx wrote to its error log, for a failing test's message. */
    String errorLog() throws IOException {
        Path log = dir.resolve("error.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String replace(String conf, String what, String with) {
        if (!conf.contains(what)) {
            throw new IllegalStateException("deploy/nginx/nginx.conf no longer has '" + what.strip() + "'; update this test");
        }
        return conf.replace(what, with);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
