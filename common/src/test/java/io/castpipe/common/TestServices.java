package io.castpipe.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;

/**
 * The real embedded Kafka broker and S3 server, started once per test JVM on free ports and
 * shared by the tests that need them.
 */
public final class TestServices {
    public static final String S3_ACCESS_KEY = "test-access";
    public static final String S3_SECRET_KEY = "test-secret-key";

    private static EmbeddedKafka kafka;
    private static EmbeddedS3 s3;

    private TestServices() {
    }

    public static synchronized EmbeddedKafka kafka() throws Exception {
        if (kafka == null) {
            kafka = new EmbeddedKafka(tempDir("kafka"), "127.0.0.1", freePort(), freePort()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        }
        return kafka;
    }

    public static synchronized EmbeddedS3 s3() throws Exception {
        if (s3 == null) {
            s3 = new EmbeddedS3(tempDir("s3"), "127.0.0.1", freePort(), S3_ACCESS_KEY, S3_SECRET_KEY).start();
            Runtime.getRuntime().addShutdownHook(new Thread(s3::close));
        }
        return s3;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path tempDir(String name) throws IOException {
        return Files.createTempDirectory("castpipe-test-" + name);
    }
}
