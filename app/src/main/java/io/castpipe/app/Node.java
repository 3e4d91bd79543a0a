package io.castpipe.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.SecretPolicy;
import io.castpipe.common.config.Setting;
import io.castpipe.common.db.Database;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.http.HttpBounds;
import io.castpipe.common.http.HttpServer;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.http.OperatorGate;
import io.castpipe.common.http.TlsIdentity;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.DataDisk;
import io.castpipe.common.node.Health;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One castpipe process: the embedded services when it runs every role, connections to the
 * shared services its role needs (each checked at start), and the HTTP listener with the
 * operations endpoints. {@link #close()} stops everything in reverse order.
 */
final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final Role role;
    private final CastpipeConfig config;
    private final Resources resources = new Resources();
    private final long startNanos = System.nanoTime();
    private volatile Health health;

    Node(Role role, CastpipeConfig config) {
        this.role = role;
        this.config = config;
    }

    /** Starts the node; on failure, whatever had started is stopped again before the exception leaves. */
    Banner start() throws Exception {
        try {
            return startAll();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private Banner startAll() throws Exception {
        Optional<TlsIdentity> tls = TlsIdentity.fromConfig(config);
        if (tls.isPresent() && config.port(Setting.HTTPS_PORT) == config.port(Setting.HTTP_PORT)) {
            throw new ConfigException(Setting.HTTPS_PORT.env() + " and " + Setting.HTTP_PORT.env() + " are both "
                    + config.port(Setting.HTTP_PORT) + "; give HTTPS a port of its own");
        }
        Path dataDir = prepareDataDir(config.dataDir());
        NodeSecrets secrets = NodeSecrets.load(dataDir);
        Banner banner = new Banner(role, config);
        CastpipeConfig effective = config;
        if (role == Role.ALL) {
            lockDataDir(dataDir);
            effective = effective
                    .with(Setting.ADMIN_TOKEN, config.optional(Setting.ADMIN_TOKEN).orElse(secrets.getOrCreate("admin-token")))
                    .with(Setting.SIGNING_SECRET, config.optional(Setting.SIGNING_SECRET).orElse(secrets.getOrCreate("signing-secret")));
            checkSecrets(effective);
            EmbeddedServices embedded = new EmbeddedServices(resources);
            effective = embedded.start(effective, secrets);
            banner.embedded(effective, embedded.joinDatabaseUrl());
        } else {
            requireExternal();
            checkSecrets(effective);
        }
        String adminToken = role.needs(Role.Need.ADMIN_TOKEN) ? effective.string(Setting.ADMIN_TOKEN) : null;
        banner.adminToken(adminToken);

        Metrics metrics = resources.add(new Metrics(role.label()));
        KafkaSettings kafka = null;
        Topics topics = null;
        if (role.needs(Role.Need.KAFKA)) {
            kafka = new KafkaSettings(effective.string(Setting.KAFKA_BOOTSTRAP), "castpipe-" + role.label(),
                    Duration.ofSeconds(effective.integer(Setting.KAFKA_TIMEOUT_SECONDS, 1, 600)));
            topics = new Topics(effective.string(Setting.KAFKA_TOPIC_PREFIX));
            topics.ensureCreated(kafka, effective.integer(Setting.KAFKA_PARTITIONS, 1, 1000),
                    (short) effective.integer(Setting.KAFKA_REPLICATION, 1, 10));
        }
        S3ObjectStore store = null;
        if (role.needs(Role.Need.OBJECT_STORE)) {
            store = resources.add(new S3ObjectStore(S3Settings.from(effective,
                    effective.string(Setting.S3_ENDPOINT), effective.string(Setting.S3_SECRET_KEY))));
            store.ensureBucket();
        }
        Database database = null;
        if (role.needs(Role.Need.DATABASE)) {
            database = resources.add(Database.open(effective.string(Setting.DB_URL), effective.string(Setting.DB_USER),
                    effective.string(Setting.DB_PASSWORD), effective.integer(Setting.DB_POOL_SIZE, 1, 200)));
        }
        Ffmpeg ffmpeg = null;
        if (role.needs(Role.Need.FFMPEG)) {
            ffmpeg = resources.add(new Ffmpeg(
                    FfmpegLocator.locate(effective.optional(Setting.FFMPEG), dataDir),
                    Duration.ofSeconds(effective.integer(Setting.FFMPEG_TIMEOUT_SECONDS, 10, 86_400))));
            log.info("using {} at {}", ffmpeg.version(), ffmpeg.binary());
        }

        HttpServer http = resources.add(new HttpServer(config.string(Setting.BIND_ADDRESS), config.port(Setting.HTTP_PORT))
                .bounds(HttpBounds.fromConfig(config)).meterRegistry(metrics.registry()));
        tls.ifPresent(identity -> http.https(config.port(Setting.HTTPS_PORT), identity));
        NodeContext context = new NodeContext(effective, dataDir, kafka, topics, store, database, ffmpeg, http, metrics,
                adminToken, role.needs(Role.Need.SIGNING_SECRET) ? effective.string(Setting.SIGNING_SECRET) : null);
        Health health = new Health(context.supervisor());
        probeDependencies(health, kafka, store, database);
        if (role.needs(Role.Need.FFMPEG)) {
            Path work = dataDir.resolve("work");
            health.probe("disk", () -> DataDisk.check(work));
        }
        // Closed after the services, which stop their own loops first.
        resources.add(context.supervisor());
        for (Service service : role.services(context)) {
            resources.add(service).start();
        }
        http.exact("/livez", exchange -> answer(exchange, health.liveness()));
        http.exact("/readyz", exchange -> answer(exchange, health.readiness()));
        http.exact("/healthz", exchange -> answer(exchange, health.readiness()));
        http.exact("/metrics", new OperatorGate(
                Arrays.asList(effective.optional(Setting.ADMIN_TOKEN).orElse(null), effective.optional(Setting.METRICS_TOKEN).orElse(null)),
                "send Authorization: Bearer with " + Setting.METRICS_TOKEN.env() + " or the admin token", exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    exchange.getResponseSender().send(metrics.scrape());
                }));
        http.start();

        health.accepting(true);
        this.health = health;
        log.info("castpipe {} ready in {} ms", role.label(), uptime().toMillis());
        return banner.startedIn(uptime());
    }

    /** Each shared service this role uses, just checked above at start, probed every few seconds for {@code /readyz}. */
    private void probeDependencies(Health health, KafkaSettings kafka, S3ObjectStore store, Database database) {
        Duration limit = Duration.ofSeconds(3);
        if (kafka != null) {
            Admin admin = resources.add(Admin.create(kafka.admin(limit)));
            health.probe("kafka", () -> admin.describeCluster().nodes().get(limit.toMillis(), TimeUnit.MILLISECONDS));
        }
        if (store != null) {
            health.probe("storage", store::ensureBucket);
        }
        if (database != null) {
            health.probe("database", () -> {
                try (Connection c = database.connection()) {
                    if (!c.isValid((int) limit.toSeconds())) {
                        throw new SQLException("the connection did not answer within " + limit.toSeconds() + " s");
                    }
                }
            });
        }
    }

    private void answer(HttpServerExchange exchange, Health.Report report) {
        Map<String, Object> body = new LinkedHashMap<>(report.body());
        body.put("role", role.label());
        body.put("uptimeSeconds", uptime().toSeconds());
        JsonResponses.send(exchange, report.up() ? 200 : 503, body);
    }

    private Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** A single role joins shared services; it never starts its own. */
    private void requireExternal() {
        if (role.needs(Role.Need.KAFKA) && config.embeddedKafka()) {
            throw missing("Kafka", Setting.KAFKA_BOOTSTRAP);
        }
        if (role.needs(Role.Need.OBJECT_STORE)
                && (config.embeddedS3() || config.optional(Setting.S3_SECRET_KEY).isEmpty())) {
            throw missing("object storage", config.embeddedS3() ? Setting.S3_ENDPOINT : Setting.S3_SECRET_KEY);
        }
        if (role.needs(Role.Need.DATABASE) && config.embeddedDatabase()) {
            throw missing("a database", Setting.DB_URL);
        }
        if (role.needs(Role.Need.SIGNING_SECRET) && config.optional(Setting.SIGNING_SECRET).isEmpty()) {
            throw missing("the signing secret shared by every node", Setting.SIGNING_SECRET);
        }
        if (role.needs(Role.Need.ADMIN_TOKEN) && config.optional(Setting.ADMIN_TOKEN).isEmpty()) {
            throw missing("the admin token shared by every node", Setting.ADMIN_TOKEN);
        }
    }

    private void checkSecrets(CastpipeConfig effective) {
        if (role.needs(Role.Need.ADMIN_TOKEN)) {
            SecretPolicy.check(Setting.ADMIN_TOKEN, effective.string(Setting.ADMIN_TOKEN));
        }
        if (role.needs(Role.Need.SIGNING_SECRET)) {
            SecretPolicy.check(Setting.SIGNING_SECRET, effective.string(Setting.SIGNING_SECRET));
        }
        effective.optional(Setting.METRICS_TOKEN).ifPresent(token -> SecretPolicy.check(Setting.METRICS_TOKEN, token));
    }

    private ConfigException missing(String what, Setting setting) {
        return new ConfigException("role " + role.label() + " needs " + what + " but " + setting.env()
                + " is not set; set it (the all-in-one ./castpipe prints the values to join it)");
    }

    private static Path prepareDataDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", "");
            Files.delete(probe);
            return dir;
        } catch (IOException | SecurityException e) {
            throw new ConfigException("data folder " + dir + " is not writable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); set "
                    + Setting.DATA_DIR.env() + " to a folder this user can write", e);
        }
    }

    /** Two all-in-one nodes on one data folder would corrupt each other's Kafka and database. */
    private void lockDataDir(Path dataDir) throws IOException {
        FileChannel channel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new ConfigException("data folder " + dataDir + " is in use by another castpipe process; stop it or set "
                    + Setting.DATA_DIR.env() + " to another folder");
        }
        resources.add(channel);
    }

    @Override
    public void close() {
        Health h = health;
        if (h != null) {
            h.accepting(false);
        }
        resources.close();
    }
}
