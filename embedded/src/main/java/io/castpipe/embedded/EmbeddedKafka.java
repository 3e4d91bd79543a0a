package io.castpipe.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, combined broker and controller) running inside this JVM.
 * Storage is formatted on first start and reused afterwards, so topics and offsets survive
 * a restart on the same folder.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path logDir;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final Consumer<String> onFatal;
    private KafkaRaftServer server;

    public EmbeddedKafka(Path logDir, String host, int port, int controllerPort) {
        this(logDir, host, port, controllerPort, reason -> { });
    }

    /** @param onFatal hears the broker give up (a failed log directory, say); the process should then stop */
    public EmbeddedKafka(Path logDir, String host, int port, int controllerPort, Consumer<String> onFatal) {
        this.logDir = logDir;
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.onFatal = onFatal;
    }

    public EmbeddedKafka start() throws Exception {
        Files.createDirectories(logDir);
        routeKafkaExitsToLog();
        KafkaConfig config = new KafkaConfig(brokerProperties(), false);
        format();
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        log.info("embedded Kafka listening on {}", bootstrapServers());
        return this;
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    private Map<String, Object> brokerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Live transcoders use short sessions so that a dead worker's streams move on within seconds.
        p.put("group.min.session.timeout.ms", "1000");
        p.put("num.partitions", "4");
        p.put("auto.create.topics.enable", "false");
        // The default 128 MB dedupe buffer would dominate the node's heap; 2 MB is the smallest accepted.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("log.retention.hours", "24");
        return p;
    }

    private void format() throws Exception {
        String dir = logDir.toAbsolutePath().toString();
        Formatter formatter = new Formatter()
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(clusterId())
                .setDirectories(List.of(dir))
                .setMetadataLogDirectory(dir)
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true);
        formatter.run();
    }

    /** The cluster id is kept beside the logs so that a restart finds the same cluster. */
    private String clusterId() throws IOException {
        Path file = logDir.resolve("castpipe-cluster-id");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(file, id);
        return id;
    }

    /**
     * Kafka halts the JVM on fatal errors, which would skip every other role's clean shutdown;
     * instead the owner hears of it once and stops the process in order.
     */
    private void routeKafkaExitsToLog() {
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        Exit.Procedure procedure = (code, message) -> {
            log.error("embedded Kafka gave up (status {}): {}", code, message);
            if (told.compareAndSet(false, true)) {
                onFatal.accept("the embedded Kafka broker failed" + (message == null ? "" : ": " + message)
                        + "; check the data folder " + logDir);
            }
        };
        Exit.setExitProcedure(procedure);
        Exit.setHaltProcedure(procedure);
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            log.info("embedded Kafka stopped");
        }
    }
}
