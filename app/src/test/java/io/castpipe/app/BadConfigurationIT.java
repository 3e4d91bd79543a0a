package io.castpipe.app;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.castpipe.common.TestServices;
import io.castpipe.common.http.SelfSignedCertificate;
import io.castpipe.common.net.FreePorts;
import io.castpipe.embedded.EmbeddedKafka;
import io.castpipe.embedded.EmbeddedS3;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration mistake ends the process with one line on stderr that says what is
 * wrong and how to fix it: no stack trace, no half-started node left running.
 */
class BadConfigurationIT {
    private static final String GOOD_SECRET = "Zr9-4Lq_2mXv8TpWc3NkHs7YbD5fJgAe";

    @Test
    void httpPortInUse() throws Exception {
        Map<String, String> env = CastpipeProcess.freshNode(TestServices.tempDir("bad"));
        int port = Integer.parseInt(env.get("CASTPIPE_HTTP_PORT"));
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
            assertOneLineFailure(env, new String[0],
                    "castpipe: HTTP port " + port + " is already in use; stop what holds it or set CASTPIPE_HTTP_PORT to a free port");
        }
    }

    @Test
    void embeddedKafkaPortInUse() throws Exception {
        Map<String, String> env = CastpipeProcess.freshNode(TestServices.tempDir("bad"));
        int port = Integer.parseInt(env.get("CASTPIPE_KAFKA_PORT"));
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertOneLineFailure(env, new String[0], "castpipe: embedded Kafka port " + port
                    + " is already in use; stop what holds it or set CASTPIPE_KAFKA_PORT to a free port");
        }
    }

    @Test
    void standaloneS3WithoutItsSecretKey() throws Exception {
        Map<String, String> env = Map.of("CASTPIPE_DATA_DIR", TestServices.tempDir("bad").toString(),
                "CASTPIPE_S3_PORT", String.valueOf(CastpipeProcess.freePort()));
        assertOneLineFailure(env, new String[] {"s3"},
                "castpipe: CASTPIPE_S3_SECRET_KEY is required: the key clients sign their requests with");
    }

    @Test
    void standaloneKafkaPortInUse() throws Exception {
        int[] ports = FreePorts.take(2);
        Map<String, String> env = Map.of("CASTPIPE_DATA_DIR", TestServices.tempDir("bad").toString(),
                "CASTPIPE_KAFKA_PORT", String.valueOf(ports[0]), "CASTPIPE_KAFKA_CONTROLLER_PORT", String.valueOf(ports[1]));
        try (ServerSocket taken = new ServerSocket(ports[0], 1, InetAddress.getByName("127.0.0.1"))) {
            assertOneLineFailure(env, new String[] {"kafka"}, "castpipe: Kafka port " + ports[0]
                    + " is already in use; stop what holds it or set CASTPIPE_KAFKA_PORT to a free port");
        }
    }

    @Test
    void unwritableDataFolder() throws Exception {
        // Root may write anywhere, so "unwritable" is made the way that stops root too: a file in the way.
        Path file = Files.createFile(TestServices.tempDir("bad").resolve("not-a-folder.txt"));
        Map<String, String> env = CastpipeProcess.freshNode(file.resolve("data"));
        assertOneLineFailure(env, new String[0], "castpipe: data folder " + file.resolve("data")
                + " is not writable (FileSystemException");
    }

    @Test
    void kafkaUnreachable() throws Exception {
        Map<String, String> env = Map.of("CASTPIPE_KAFKA_BOOTSTRAP", "127.0.0.1:" + CastpipeProcess.freePort(),
                "CASTPIPE_KAFKA_TIMEOUT_SECONDS", "3",
                "CASTPIPE_SIGNING_SECRET", GOOD_SECRET,
                "CASTPIPE_DATA_DIR", TestServices.tempDir("bad").toString(),
                "CASTPIPE_HTTP_PORT", String.valueOf(CastpipeProcess.freePort()));
        assertOneLineFailure(env, new String[] {"chat"}, "castpipe: Kafka at 127.0.0.1:");
    }

    @Test
    void roleWithoutItsSharedServices() throws Exception {
        Map<String, String> env = Map.of("CASTPIPE_DATA_DIR", TestServices.tempDir("bad").toString());
        assertOneLineFailure(env, new String[] {"origin"},
                "castpipe: role origin needs Kafka but CASTPIPE_KAFKA_BOOTSTRAP is not set");
    }

    @Test
    void tlsKeyThatIsNotAKey() throws Exception {
        Path dir = TestServices.tempDir("bad");
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve("tls"), "RSA");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        env.put("CASTPIPE_TLS_CERT", cert.certFile().toString());
        env.put("CASTPIPE_TLS_KEY", cert.certFile().toString());
        assertOneLineFailure(env, new String[0], "castpipe: CASTPIPE_TLS_KEY=" + cert.certFile()
                + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    @Test
    void tlsKeyMissing() throws Exception {
        Path dir = TestServices.tempDir("bad");
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve("tls"), "EC");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        env.put("CASTPIPE_TLS_CERT", cert.certFile().toString());
        env.put("CASTPIPE_TLS_KEY", dir.resolve("no-such-key.pem").toString());
        assertOneLineFailure(env, new String[0], "castpipe: CASTPIPE_TLS_KEY=" + dir.resolve("no-such-key.pem")
                + " cannot be read (NoSuchFileException); set it to a PEM file this user can read");
    }

    @Test
    void placeholderOrShortSecrets() throws Exception {
        Map<String, String> env = CastpipeProcess.freshNode(TestServices.tempDir("bad"));
        env.put("CASTPIPE_ADMIN_TOKEN", "change-me-admin-token");
        assertOneLineFailure(env, new String[0], "castpipe: CASTPIPE_ADMIN_TOKEN is 21 characters long, shorter than 32; "
                + "set it to at least 32 random characters");
        env.put("CASTPIPE_ADMIN_TOKEN", GOOD_SECRET);
        env.put("CASTPIPE_SIGNING_SECRET", "change-me-signing-secret-for-production");
        assertOneLineFailure(env, new String[0], "castpipe: CASTPIPE_SIGNING_SECRET looks like a placeholder ('changeme')");
    }

    @Test
    void unknownRole() throws Exception {
        assertOneLineFailure(Map.of(), new String[] {"encoder"},
                "castpipe: unknown role 'encoder'; roles are ingest, transcoder, origin, chat, api");
    }

    @Test
    void wrongS3Credentials() throws Exception {
        int[] ports = FreePorts.take(3);
        try (EmbeddedKafka kafka = new EmbeddedKafka(TestServices.tempDir("kafka"), "127.0.0.1", ports[0], ports[1]).start();
             EmbeddedS3 s3 = new EmbeddedS3(TestServices.tempDir("s3"), "127.0.0.1", ports[2],
                     "castpipe", "the-real-secret").start()) {
            Map<String, String> env = Map.of("CASTPIPE_KAFKA_BOOTSTRAP", kafka.bootstrapServers(),
                    "CASTPIPE_S3_ENDPOINT", s3.endpoint(),
                    "CASTPIPE_S3_SECRET_KEY", "a-wrong-secret",
                    "CASTPIPE_SIGNING_SECRET", GOOD_SECRET,
                    "CASTPIPE_DATA_DIR", TestServices.tempDir("bad").toString(),
                    "CASTPIPE_HTTP_PORT", String.valueOf(CastpipeProcess.freePort()));
            assertOneLineFailure(env, new String[] {"origin"}, "castpipe: S3 at " + s3.endpoint()
                    + " refused access key 'castpipe' (HTTP 403); check CASTPIPE_S3_ACCESS_KEY and CASTPIPE_S3_SECRET_KEY");
        }
    }

    private static void assertOneLineFailure(Map<String, String> env, String[] args, String expectedStart) throws Exception {
        try (CastpipeProcess p = CastpipeProcess.start(env, args)) {
            int status = p.awaitExit(Duration.ofSeconds(30));
            String err = p.stderrText().strip();
            assertThat(status).as(p.output()).isEqualTo(Main.EXIT_CONFIG);
            assertThat(err.lines().count()).as("one line on stderr:%n%s", err).isEqualTo(1);
            assertThat(err).startsWith(expectedStart);
            assertThat(p.stdoutText()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }
}
