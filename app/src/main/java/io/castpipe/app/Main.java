package io.castpipe.app;

import java.util.concurrent.TimeUnit;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.castpipe.common.node.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code castpipe [ROLE]}: every role in one process on embedded defaults, or one role against shared services. */
@Command(name = "castpipe", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Self-hosted live streaming and video on demand.",
                "With no ROLE, runs every role in one process on an embedded Kafka broker, S3 server and database.",
                "Configuration comes from CASTPIPE_* environment variables; 'castpipe config' lists them."},
        subcommands = {Main.ConfigCommand.class, StandaloneServer.Kafka.class, StandaloneServer.S3.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
    /** Exit status for a problem the operator must fix; the one printed line says what. */
    static final int EXIT_CONFIG = 2;

    @Parameters(arity = "0..1", paramLabel = "ROLE", description = "ingest, transcoder, origin, chat or api")
    String roleName;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        Role role;
        try {
            role = roleName == null ? Role.ALL : Role.parse(roleName);
        } catch (IllegalArgumentException e) {
            System.err.println("castpipe: " + e.getMessage());
            return EXIT_CONFIG;
        }
        CastpipeConfig config = CastpipeConfig.fromEnvironment();
        Node node = new Node(role, config);
        Banner banner;
        try {
            banner = node.start();
        } catch (ConfigException e) {
            System.err.println("castpipe: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (Exception | LinkageError e) {
            LoggerFactory.getLogger(Main.class).debug("start failed", e);
            System.err.println("castpipe: failed to start: " + rootCause(e));
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node, config), "castpipe-shutdown"));
        System.out.println(banner.render());
        Thread.currentThread().join();
        return 0;
    }

    /** SIGTERM: stop in order, but never take longer than the grace period to exit. */
    private static void stop(Node node, CastpipeConfig config) {
        Logger log = LoggerFactory.getLogger(Main.class);
        int grace = config.integer(Setting.SHUTDOWN_GRACE_SECONDS, 1, 300);
        Thread watchdog = DaemonThreads.start("castpipe-shutdown-watchdog", () -> {
            try {
                TimeUnit.SECONDS.sleep(grace);
                log.warn("shutdown took longer than {} s; halting", grace);
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        log.info("stopping");
        node.close();
        log.info("stopped");
        watchdog.interrupt();
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"castpipe " + Version.current()};
        }
    }

    @Command(name = "config", description = "Prints every setting: environment variable, default, meaning (Markdown).")
    static final class ConfigCommand implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("| variable | default | meaning |");
            System.out.println("| --- | --- | --- |");
            for (Setting s : Setting.values()) {
                String def = s.defaultValue().isEmpty() ? "" : "`" + s.defaultValue() + "`";
                System.out.println("| `" + s.env() + "` | " + def + " | " + s.description() + " |");
            }
            return 0;
        }
    }
}
