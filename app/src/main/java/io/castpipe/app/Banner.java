package io.castpipe.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;

/** The short block a node prints once it is up: what listens where, and how to use and join it. */
final class Banner {
    private final Role role;
    private final CastpipeConfig config;
    private String adminToken;
    private final List<String> embedded = new ArrayList<>();
    private String joinLine;
    private Duration startup = Duration.ZERO;

    Banner(Role role, CastpipeConfig config) {
        this.role = role;
        this.config = config;
    }

    void adminToken(String token) {
        this.adminToken = token;
    }

    void embedded(CastpipeConfig effective, String joinDatabaseUrl) {
        StringBuilder join = new StringBuilder();
        if (config.embeddedKafka()) {
            embedded.add("Kafka     " + effective.string(Setting.KAFKA_BOOTSTRAP));
        }
        join.append(Setting.KAFKA_BOOTSTRAP.env()).append('=').append(effective.string(Setting.KAFKA_BOOTSTRAP));
        if (config.embeddedS3()) {
            embedded.add("S3        " + effective.string(Setting.S3_ENDPOINT) + "  bucket " + effective.string(Setting.S3_BUCKET));
        }
        join.append(' ').append(Setting.S3_ENDPOINT.env()).append('=').append(effective.string(Setting.S3_ENDPOINT))
                .append(' ').append(Setting.S3_SECRET_KEY.env()).append('=').append(effective.string(Setting.S3_SECRET_KEY));
        String dbUrl = joinDatabaseUrl != null ? joinDatabaseUrl : effective.string(Setting.DB_URL);
        if (joinDatabaseUrl != null) {
            embedded.add("Database  " + joinDatabaseUrl);
        }
        join.append(' ').append(Setting.DB_URL.env()).append("='").append(dbUrl).append('\'')
                .append(' ').append(Setting.DB_PASSWORD.env()).append('=').append(effective.string(Setting.DB_PASSWORD));
        join.append(' ').append(Setting.SIGNING_SECRET.env()).append('=').append(effective.string(Setting.SIGNING_SECRET))
                .append(' ').append(Setting.ADMIN_TOKEN.env()).append('=').append(effective.string(Setting.ADMIN_TOKEN));
        joinLine = join + " " + Setting.HTTP_PORT.env() + "=" + (config.port(Setting.HTTP_PORT) + 10) + " ./castpipe transcoder";
    }

    Banner startedIn(Duration d) {
        this.startup = d;
        return this;
    }

    String render() {
        String host = config.string(Setting.HOST);
        String http = "http://" + host + ":" + config.port(Setting.HTTP_PORT);
        StringBuilder b = new StringBuilder();
        String what = role == Role.ALL ? "all roles in one process" : "role " + role.label();
        b.append('\n').append("Castpipe ").append(Version.current()).append(" is up (").append(what).append(") in ").append(String.format("%.1f", startup.toMillis() / 1000.0)).append(" s\n");
        b.append("  HTTP      ").append(http).append("   health ").append(http).append("/healthz   metrics ")
                .append(http).append("/metrics\n");
        if (config.optional(Setting.TLS_CERT).isPresent()) {
            b.append("  HTTPS     https://").append(host).append(':').append(config.port(Setting.HTTPS_PORT))
                    .append("   (HTTP/2; the same paths as HTTP)\n");
        }
        if (role == Role.ALL || role == Role.INGEST) {
            b.append("  RTMP      rtmp://").append(host).append(':').append(config.port(Setting.RTMP_PORT))
                    .append("/live   (OBS: Server; Stream Key: a channel's key from POST /api/channels)\n");
        }
        if (role == Role.ALL || role == Role.ORIGIN) {
            b.append("  Playback  ").append(config.publicUrl()).append("/live/{channel}/master.m3u8   ")
                    .append(config.publicUrl()).append("/vod/{videoId}/master.m3u8\n");
        }
        if (role == Role.ALL || role == Role.CHAT) {
            b.append("  Chat      ws://").append(host).append(':').append(config.port(Setting.CHAT_PORT))
                    .append("/chat/{channel}?token=   (a token from POST /api/chat/token; without one, read-only)\n");
        }
        if (adminToken != null) {
            b.append("  Admin     token ").append(adminToken).append('\n');
        }
        for (String line : embedded) {
            b.append("  ").append(line).append('\n');
        }
        b.append("  Data      ").append(config.dataDir()).append('\n');
        if (joinLine != null) {
            b.append("  Join from another process on this machine:\n    ").append(joinLine).append('\n');
        }
        return b.toString();
    }
}
