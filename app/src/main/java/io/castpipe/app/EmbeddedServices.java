package io.castpipe.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.embedded.EmbeddedDatabase;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;

/**
 * The all-in-one node's own Kafka broker, S3 server and database, each started only when no
 * external one is configured. They listen on loopback so other castpipe processes on this
 * machine can join; the returned configuration points this node's clients at them. They are
 * closed with the node's other resources.
 */
final class EmbeddedServices {
    static final String LOOPBACK = "127.0.0.1";

    private final Resources resources;
    private String joinDatabaseUrl;

    EmbeddedServices(Resources resources) {
        this.resources = resources;
    }

    /** Starts what is missing and returns the configuration that reaches every service. */
    CastpipeConfig start(CastpipeConfig config, NodeSecrets secrets) throws Exception {
        CastpipeConfig effective = config;
        if (config.embeddedKafka()) {
            int port = freePort(config, Setting.KAFKA_PORT, "embedded Kafka");
            int controllerPort = freePort(config, Setting.KAFKA_CONTROLLER_PORT, "embedded Kafka controller");
            EmbeddedKafka kafka = new EmbeddedKafka(config.dataDir().resolve("kafka"), LOOPBACK, port, controllerPort,
                    EmbeddedServices::stopProcess);
            resources.add(kafka);
            kafka.start();
            effective = effective.with(Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        }
        if (config.embeddedS3()) {
            int port = freePort(config, Setting.S3_PORT, "embedded S3");
            String secret = config.optional(Setting.S3_SECRET_KEY).orElse(secrets.getOrCreate("s3.secret-key"));
            EmbeddedS3 s3 = new EmbeddedS3(config.dataDir().resolve("s3"), LOOPBACK, port,
                    config.string(Setting.S3_ACCESS_KEY), secret);
            resources.add(s3);
            s3.start();
            effective = effective.with(Setting.S3_ENDPOINT, s3.endpoint()).with(Setting.S3_SECRET_KEY, secret);
        }
        if (config.embeddedDatabase()) {
            int port = freePort(config, Setting.DB_PORT, "embedded database");
            String password = config.optional(Setting.DB_PASSWORD).orElse(secrets.getOrCreate("db.password"));
            EmbeddedDatabase db = new EmbeddedDatabase(config.dataDir().resolve("db"), port);
            resources.add(db);
            db.start();
            effective = effective.with(Setting.DB_URL, db.localUrl()).with(Setting.DB_PASSWORD, password);
            joinDatabaseUrl = db.tcpUrl(LOOPBACK);
        }
        return effective;
    }

    /** The database URL another process uses to share the embedded database, if there is one. */
    String joinDatabaseUrl() {
        return joinDatabaseUrl;
    }

    /** A broken embedded broker leaves the node unable to work: stop it, cleanly, so a supervisor restarts it. */
    static void stopProcess(String reason) {
        System.err.println("castpipe: " + reason);
        // Not on the broker's thread: System.exit waits for the shutdown hooks, which close the broker.
        DaemonThreads.start("castpipe-fatal-exit", () -> System.exit(1));
    }

    /** Fails early and clearly when a port is taken, rather than deep inside a server's start. */
    static int freePort(CastpipeConfig config, Setting setting, String what) {
        int port = config.port(setting);
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw ConfigException.portInUse(what, port, setting, e);
        }
        return port;
    }
}
