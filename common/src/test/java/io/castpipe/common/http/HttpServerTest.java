package io.castpipe.common.http;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.net.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The node's listener speaking HTTP/1.1 and HTTP/2, in clear and over TLS with a PEM certificate. */
class HttpServerTest {
    @TempDir
    Path dir;

    @Test
    void theHttpPortSpeaksHttp11AndCleartextHttp2ByUpgrade() throws Exception {
        try (Listener server = Listener.start(null)) {
            HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> old = http11.send(server.request("http"), HttpResponse.BodyHandlers.ofString());
            assertThat(old.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(old.body()).isEqualTo("HTTP/1.1");

            // The JDK client asks for h2c with Upgrade on its first request, then reuses the connection.
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = h2.send(server.request("http"), HttpResponse.BodyHandlers.ofString());
                assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("HTTP/2.0");
            }
        }
    }

    @Test
    void cleartextHttp2WithPriorKnowledge() throws Exception {
        assumeTrue(Curl.speaksHttp2(), "install curl with HTTP/2 support to test h2c with prior knowledge");
        try (Listener server = Listener.start(null)) {
            String out = Curl.run("--http2-prior-knowledge", "-w", "\\nversion %{http_version}\\n", server.url("http"));
            assertThat(out).isEqualTo("HTTP/2.0\nversion 2\n");
        }
    }

    @Test
    void http2SettingsBoundTheStreamsOfAConnection() throws Exception {
        try (Listener server = Listener.start(null);
             Socket socket = new Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            in.skipNBytes(5); // flags, stream id
            assertThat(type).as("the server's first frame is SETTINGS").isEqualTo(4);
            Map<Integer, Integer> settings = new HashMap<>();
            for (int read = 0; read < length; read += 6) {
                settings.put(in.readUnsignedShort(), in.readInt());
            }
            assertThat(settings).as("SETTINGS_MAX_CONCURRENT_STREAMS").containsEntry(3, HttpServer.MAX_STREAMS_PER_CONNECTION);
        }
    }

    @Test
    void httpsNegotiatesHttp2ByAlpnAndStillServesHttp11() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve(algorithm), algorithm);
            try (Listener server = Listener.start(TlsIdentity.load(cert.certFile(), cert.keyFile()))) {
                for (HttpClient.Version version : HttpClient.Version.values()) {
                    HttpClient client = HttpClient.newBuilder().version(version).sslContext(cert.clientContext()).build();
                    HttpResponse<String> r = client.send(server.request("https"), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.version()).as(algorithm).isEqualTo(version);
                    assertThat(r.body()).as(algorithm).isEqualTo(version == HttpClient.Version.HTTP_2 ? "HTTP/2.0" : "HTTP/1.1");
                }
                // The clear port stays open beside it.
                HttpResponse<String> clear = HttpClient.newHttpClient().send(server.request("http"),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(clear.statusCode()).isEqualTo(200);
                server.close();
                assertThat(canBind(server.httpPort())).as("HTTP port released on close").isTrue();
                assertThat(canBind(server.httpsPort())).as("HTTPS port released on close").isTrue();
            }
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void unusableTlsFilesAreRefusedWithTheVariableTheFileAndTheFix() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve("good"), "RSA");
        SelfSignedCertificate other = SelfSignedCertificate.generate(dir.resolve("other"), "RSA");
        Path missing = dir.resolve("missing.pem");
        Path garbled = Files.writeString(dir.resolve("garbled.pem"),
                Files.readString(cert.keyFile()).replaceFirst("(?m)^(-----BEGIN PRIVATE KEY-----\n)....", "$1!!!!"));
        Path truncated = Files.writeString(dir.resolve("truncated.pem"), "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n");
        Path encrypted = Files.writeString(dir.resolve("encrypted.pem"),
                SelfSignedCertificate.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        Path pkcs1 = Files.writeString(dir.resolve("pkcs1.pem"), SelfSignedCertificate.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));

        assertRefused(missing, cert.keyFile(), "CASTPIPE_TLS_CERT=" + missing + " cannot be read (NoSuchFileException)");
        assertRefused(cert.keyFile(), cert.keyFile(), "CASTPIPE_TLS_CERT=" + cert.keyFile() + " holds no PEM certificate");
        assertRefused(cert.certFile(), missing, "CASTPIPE_TLS_KEY=" + missing + " cannot be read (NoSuchFileException)");
        assertRefused(cert.certFile(), cert.certFile(), "CASTPIPE_TLS_KEY=" + cert.certFile() + " holds no PEM private key");
        assertRefused(cert.certFile(), garbled, "CASTPIPE_TLS_KEY=" + garbled + " holds no PEM private key");
        assertRefused(cert.certFile(), truncated, "CASTPIPE_TLS_KEY=" + truncated + " is not a readable RSA private key");
        assertRefused(cert.certFile(), encrypted, "CASTPIPE_TLS_KEY=" + encrypted + " is encrypted");
        assertRefused(cert.certFile(), pkcs1, "CASTPIPE_TLS_KEY=" + pkcs1 + " is in the older RSA PRIVATE KEY form");
        assertRefused(cert.certFile(), other.keyFile(), "CASTPIPE_TLS_KEY=" + other.keyFile()
                + " is not the key of the certificate in CASTPIPE_TLS_CERT (CN=127.0.0.1)");

        assertThat(TlsIdentity.fromConfig(CastpipeConfig.from(Map.of()))).isEmpty();
        assertThatThrownBy(() -> TlsIdentity.fromConfig(CastpipeConfig.from(Map.of("CASTPIPE_TLS_CERT", cert.certFile().toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("CASTPIPE_TLS_CERT is set but CASTPIPE_TLS_KEY is not; set both to serve HTTPS, or neither");
        assertThat(TlsIdentity.fromConfig(CastpipeConfig.from(Map.of("CASTPIPE_TLS_CERT", cert.certFile().toString(),
                "CASTPIPE_TLS_KEY", cert.keyFile().toString())))).isPresent();
    }

    @Test
    void anHttpsPortInUseIsNamedAndTheHttpPortIsLetGo() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir, "EC");
        int[] ports = FreePorts.take(2);
        int httpPort = ports[0];
        int httpsPort = ports[1];
        try (ServerSocket taken = new ServerSocket(httpsPort, 1, InetAddress.getByName("127.0.0.1"))) {
            HttpServer server = new HttpServer("127.0.0.1", httpPort).https(httpsPort, TlsIdentity.load(cert.certFile(), cert.keyFile()));
            assertThatThrownBy(server::start).isInstanceOf(ConfigException.class).hasMessage("HTTPS port " + httpsPort
                    + " is already in use; stop what holds it or set CASTPIPE_HTTPS_PORT to a free port");
            server.close();
        }
        // Undertow's worker threads close what it had bound shortly after the failed start.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (!canBind(httpPort) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(canBind(httpPort)).as("HTTP port released").isTrue();
    }

    private static void assertRefused(Path certFile, Path keyFile, String messageStart) {
        assertThatThrownBy(() -> TlsIdentity.load(certFile, keyFile)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(messageStart);
    }

    /** An {@link HttpServer} on free ports whose {@code /protocol} answers with the request's protocol. */
    private record Listener(HttpServer server, int httpPort, int httpsPort) implements AutoCloseable {
        static Listener start(TlsIdentity tls) {
            int[] ports = FreePorts.take(2);
            int httpPort = ports[0];
            int httpsPort = ports[1];
            HttpServer server = new HttpServer("127.0.0.1", httpPort)
                    .exact("/protocol", exchange -> exchange.getResponseSender().send(exchange.getProtocol().toString()));
            if (tls != null) {
                server.https(httpsPort, tls);
            }
            server.start();
            return new Listener(server, httpPort, httpsPort);
        }

        String url(String scheme) {
            return scheme + "://127.0.0.1:" + (scheme.equals("https") ? httpsPort : httpPort) + "/protocol";
        }

        HttpRequest request(String scheme) {
            return HttpRequest.newBuilder(URI.create(url(scheme))).timeout(Duration.ofSeconds(10)).build();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
