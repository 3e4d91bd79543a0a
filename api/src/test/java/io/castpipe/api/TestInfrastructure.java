package io.castpipe.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;

/** The real embedded Kafka broker and S3 server, started once per test JVM on free ports. */
final class TestInfrastructure {
    static final String S3_ACCESS_KEY = "api-test-access";
    static final String S3_SECRET_KEY = "api-test-secret-key";

    private static EmbeddedKafka kafka;
    private static EmbeddedS3 s3;

    private TestInfrastructure() {
    }

    static synchronized EmbeddedKafka kafka() throws Exception {
        if (kafka == null) {
            kafka = new EmbeddedKafka(tempDir("kafka"), "127.0.0.1", freePort(), freePort()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        }
        return kafka;
    }

    static synchronized EmbeddedS3 s3() throws Exception {
        if (s3 == null) {
            s3 = new EmbeddedS3(tempDir("s3"), "127.0.0.1", freePort(), S3_ACCESS_KEY, S3_SECRET_KEY).start();
            Runtime.getRuntime().addShutdownHook(new Thread(s3::close));
        }
        return s3;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempDir(String name) throws IOException {
        return Files.createTempDirectory("castpipe-api-test-" + name);
    }
}
