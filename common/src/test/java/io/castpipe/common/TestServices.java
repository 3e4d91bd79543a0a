package io.castpipe.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.castpipe.common.net.FreePorts;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;

/**
 * The real embedded Kafka broker and S3 server, started once per test JVM on free ports and
 * shared by the tests that need them, and temporary directories; when the JVM ends the two are
 * stopped, then every directory made here is deleted, so test runs leave nothing behind.
 */
public final class TestServices {
    public static final String S3_ACCESS_KEY = "test-access";
    public static final String S3_SECRET_KEY = "test-secret-key";

    private static EmbeddedKafka kafka;
    private static EmbeddedS3 s3;
    private static final List<Path> made = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestServices::stopAndClean, "test-services-cleanup"));
    }

    private TestServices() {
    }

    public static synchronized EmbeddedKafka kafka() throws Exception {
        if (kafka == null) {
            int[] ports = FreePorts.take(2);
            kafka = new EmbeddedKafka(tempDir("kafka"), "127.0.0.1", ports[0], ports[1]).start();
        }
        return kafka;
    }

    public static synchronized EmbeddedS3 s3() throws Exception {
        if (s3 == null) {
            s3 = new EmbeddedS3(tempDir("s3"), "127.0.0.1", freePort(), S3_ACCESS_KEY, S3_SECRET_KEY).start();
        }
        return s3;
    }

    public static int freePort() {
        return FreePorts.one();
    }

    /** A new temporary directory, deleted when the test JVM ends. */
    public static synchronized Path tempDir(String name) throws IOException {
        Path dir = Files.createTempDirectory("castpipe-test-" + name);
        made.add(dir);
        return dir;
    }

    private static synchronized void stopAndClean() {
        if (kafka != null) {
            kafka.close();
        }
        if (s3 != null) {
            s3.close();
        }
        for (Path dir : made) {
            deleteTree(dir);
        }
    }

    /** Deletes {@code dir} and everything in it, as far as it can. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete all of " + dir + ": " + e);
        }
    }
}
