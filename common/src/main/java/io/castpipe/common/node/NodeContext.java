package io.castpipe.common.node;

import java.nio.file.Path;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;
import io.castpipe.common.db.Database;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.http.HttpServer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.storage.ObjectStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What a node gives its services: the configuration and the connections its role needs. A
 * service asking for one its role did not declare is a programming error, reported at once.
 */
public final class NodeContext {
    private final CastpipeConfig config;
    private final Path dataDir;
    private final KafkaSettings kafka;
    private final Topics topics;
    private final ObjectStore objectStore;
    private final Database database;
    private final Ffmpeg ffmpeg;
    private final HttpServer http;
    private final Metrics metrics;
    private final String adminToken;
    private final String signingSecret;
    private final String nodeId;
    private final Supervisor supervisor;

    public NodeContext(CastpipeConfig config, Path dataDir, KafkaSettings kafka, Topics topics, ObjectStore objectStore,
                       Database database, Ffmpeg ffmpeg, HttpServer http, Metrics metrics, String adminToken,
                       String signingSecret) {
        this.config = config;
        this.dataDir = dataDir;
        this.kafka = kafka;
        this.topics = topics;
        this.objectStore = objectStore;
        this.database = database;
        this.ffmpeg = ffmpeg;
        this.http = http;
        this.metrics = metrics;
        this.adminToken = adminToken;
        this.signingSecret = signingSecret;
        this.nodeId = config.optional(Setting.NODE_ID).orElseGet(Ids::newId);
        this.supervisor = new Supervisor(metrics != null ? metrics.registry() : new SimpleMeterRegistry());
    }

    /** Where services run their long-lived loops and periodic tasks, so that a failure restarts them and health sees them. */
    public Supervisor supervisor() {
        return supervisor;
    }

    public CastpipeConfig config() {
        return config;
    }

    /** The node's data folder; services keep scratch files under it. */
    public Path dataDir() {
        return dataDir;
    }

    public KafkaSettings kafka() {
        return required(kafka, "Kafka");
    }

    public Topics topics() {
        return required(topics, "Kafka");
    }

    public ObjectStore objectStore() {
        return required(objectStore, "object storage");
    }

    public Database database() {
        return required(database, "the database");
    }

    public Ffmpeg ffmpeg() {
        return required(ffmpeg, "ffmpeg");
    }

    public HttpServer http() {
        return http;
    }

    public Metrics metrics() {
        return metrics;
    }

    public String adminToken() {
        return required(adminToken, "the admin token");
    }

    /** This node's name in what it reports to other nodes; a random one per start unless configured. */
    public String nodeId() {
        return nodeId;
    }

    public String signingSecret() {
        return required(signingSecret, "the signing secret");
    }

    private static <T> T required(T value, String what) {
        if (value == null) {
            throw new IllegalStateException("this role was not given " + what);
        }
        return value;
    }
}
