package io.castpipe.bench.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.net.FreePorts;

/**
 * The peer: nginx with the RTMP module from Debian's packages ({@code nginx},
 * {@code libnginx-mod-rtmp}), configured as its README suggests for HLS, with 1 s fragments,
 * started in a folder of its own on free loopback ports.
 */
public final class NginxRtmp implements AutoCloseable {
    private static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");

    private final Process process;
    private final Path dir;
    public final int rtmpPort;
    public final int httpPort;

    private NginxRtmp(Process process, Path dir, int rtmpPort, int httpPort) {
        this.process = process;
        this.dir = dir;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
    }

    public static NginxRtmp start(Path dir) throws IOException {
        if (!Files.exists(MODULE)) {
            throw new IllegalStateException("nginx-rtmp not found at " + MODULE + ": install Debian's nginx and libnginx-mod-rtmp");
        }
        Files.createDirectories(dir.resolve("hls"));
        Files.createDirectories(dir.resolve("tmp"));
        int[] ports = FreePorts.take(2);
        int rtmp = ports[0];
        int http = ports[1];
        String conf = """
                load_module %1$s;
                daemon off;
                master_process off;
                error_log %2$s/error.log warn;
                pid %2$s/nginx.pid;
                events { worker_connections 256; }
                rtmp {
                  server {
                    listen 127.0.0.1:%3$d;
                    application live {
                      live on;
                      hls on;
                      hls_path %2$s/hls;
                      hls_fragment 1s;
                      hls_playlist_length 6s;
                    }
                  }
                }
                http {
                  access_log off;
                  client_body_temp_path %2$s/tmp/body;
                  proxy_temp_path %2$s/tmp/proxy;
                  fastcgi_temp_path %2$s/tmp/fastcgi;
                  uwsgi_temp_path %2$s/tmp/uwsgi;
                  scgi_temp_path %2$s/tmp/scgi;
                  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
                  server {
                    listen 127.0.0.1:%4$d;
                    location /hls/ {
                      alias %2$s/hls/;
                      add_header Cache-Control no-cache;
                      add_header Access-Control-Allow-Origin *;
                    }
                  }
                }
                """.formatted(MODULE, dir.toAbsolutePath(), rtmp, http);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder("nginx", "-p", dir.toAbsolutePath().toString(), "-c", file.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout").toFile()).start();
        return new NginxRtmp(p, dir, rtmp, http);
    }

    public String rtmpUrl(String stream) {
        return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + stream;
    }

    public String playlistUrl(String stream) {
        return "http://127.0.0.1:" + httpPort + "/hls/" + stream + ".m3u8";
    }

    public String log() throws IOException {
        Path log = dir.resolve("error.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
