package io.castpipe.app;

import java.util.concurrent.Callable;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * The Kafka broker and the S3 server the all-in-one node embeds, each run as a process of its
 * own ({@code castpipe kafka}, {@code castpipe s3}): the dependencies of a topology of role
 * processes on one machine without Docker. They listen on loopback, on the ports and in the
 * data folder the embedded ones use; a deployment across machines uses Apache Kafka and an S3
 * service instead.
 */
final class StandaloneServer {
    private StandaloneServer() {
    }

    @Command(name = "kafka", description = "Runs only a single-node Kafka broker (KRaft) on loopback: "
            + "CASTPIPE_KAFKA_PORT, CASTPIPE_KAFKA_CONTROLLER_PORT, data in CASTPIPE_DATA_DIR/kafka.")
    static final class Kafka implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            CastpipeConfig config = CastpipeConfig.fromEnvironment();
            return serve("kafka", () -> new EmbeddedKafka(config.dataDir().resolve("kafka"), EmbeddedServices.LOOPBACK,
                    EmbeddedServices.freePort(config, Setting.KAFKA_PORT, "Kafka"),
                    EmbeddedServices.freePort(config, Setting.KAFKA_CONTROLLER_PORT, "Kafka controller"),
                    EmbeddedServices::stopProcess).start());
        }
    }

    @Command(name = "s3", description = "Runs only an S3-API server on loopback: CASTPIPE_S3_PORT, "
            + "CASTPIPE_S3_ACCESS_KEY and CASTPIPE_S3_SECRET_KEY (required), objects in CASTPIPE_DATA_DIR/s3.")
    static final class S3 implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            CastpipeConfig config = CastpipeConfig.fromEnvironment();
            return serve("s3", () -> {
                String secret = config.optional(Setting.S3_SECRET_KEY).orElseThrow(() -> new ConfigException(
                        Setting.S3_SECRET_KEY.env() + " is required: the key clients sign their requests with"));
                return new EmbeddedS3(config.dataDir().resolve("s3"), EmbeddedServices.LOOPBACK,
                        EmbeddedServices.freePort(config, Setting.S3_PORT, "S3"), config.string(Setting.S3_ACCESS_KEY), secret).start();
            });
        }
    }

    private interface Starter {
        AutoCloseable start() throws Exception;
    }

    /** Starts the server, keeps it until SIGTERM, then closes it. */
    private static int serve(String name, Starter starter) throws InterruptedException {
        AutoCloseable server;
        try {
            server = starter.start();
        } catch (ConfigException e) {
            System.err.println("castpipe: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (Exception e) {
            LoggerFactory.getLogger(StandaloneServer.class).debug("start failed", e);
            System.err.println("castpipe " + name + ": failed to start: " + e);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("castpipe " + name + ": closing: " + e);
            }
        }, "castpipe-" + name + "-shutdown"));
        System.out.println("castpipe " + name + " ready");
        Thread.currentThread().join();
        return 0;
    }
}
