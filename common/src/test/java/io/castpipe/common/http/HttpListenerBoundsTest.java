package io.castpipe.common.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.castpipe.common.net.FreePorts;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.common.net.LoopbackSockets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the node's listener lets a hostile client hold: a request head that never ends, an idle
 * connection, an HTTP/2 or TLS connection that never gets going, and connections beyond the
 * budget of the process or of one address. Hostile clients connect from 127.0.0.2 and up.
 */
class HttpListenerBoundsTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;

    @Test
    void aRequestHeadThatNeverEndsIsCutOffAtTheHeaderTimeout() throws Exception {
        try (Server server = Server.start(bounds(2, 30, 100, 100, ""), null);
             Socket slow = connect("127.0.0.2", server.httpPort);
             Socket slowFirst = connect("127.0.0.2", server.httpPort)) {
            send(slow, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readSome(slow)).startsWith("HTTP/1.1 200");
            send(slow, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
            send(slowFirst, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
            long started = System.nanoTime();
            // The idle timeout is 30 s: what closes them is the header timeout.
            assertThat(closedWithin(slowFirst, Duration.ofSeconds(20))).as("first request").isTrue();
            assertThat(closedWithin(slow, Duration.ofSeconds(20))).as("a later request").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(1500));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.http.openConnections() == 0);
        }
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Server server = Server.start(bounds(30, 2, 100, 100, ""), null);
             Socket idle = connect("127.0.0.2", server.httpPort)) {
            send(idle, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readSome(idle)).startsWith("HTTP/1.1 200");
            assertThat(closedWithin(idle, Duration.ofSeconds(20))).as("closed by the server").isTrue();
        }
    }

    @Test
    void anHttp2ConnectionThatNeverCompletesItsHeadersIsClosed() throws Exception {
        try (Server server = Server.start(bounds(2, 2, 100, 100, ""), null);
             Socket preface = connect("127.0.0.2", server.httpPort);
             Socket halfHeaders = connect("127.0.0.2", server.httpPort)) {
            send(preface, PREFACE, EMPTY_SETTINGS);
            // HEADERS on stream 1 with END_STREAM but not END_HEADERS: the server waits for a CONTINUATION.
            send(halfHeaders, PREFACE, EMPTY_SETTINGS, new byte[] {0, 0, 1, 1, 1, 0, 0, 0, 1, (byte) 0x82});
            assertThat(closedWithin(preface, Duration.ofSeconds(20))).as("preface only").isTrue();
            assertThat(closedWithin(halfHeaders, Duration.ofSeconds(20))).as("half a header block").isTrue();
        }
    }

    @Test
    void aTlsConnectionThatNeverFinishesItsHandshakeIsClosed() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir, "EC");
        try (Server server = Server.start(bounds(2, 2, 100, 100, ""), TlsIdentity.load(cert.certFile(), cert.keyFile()));
             Socket silent = connect("127.0.0.2", server.httpsPort);
             Socket partial = connect("127.0.0.2", server.httpsPort)) {
            send(partial, new byte[] {22, 3, 1, 0, (byte) 200, 1}); // a ClientHello record that never arrives whole
            assertThat(closedWithin(silent, Duration.ofSeconds(20))).as("silent").isTrue();
            assertThat(closedWithin(partial, Duration.ofSeconds(20))).as("partial ClientHello").isTrue();
        }
    }

    @Test
    void aConnectionThatBroughtItsFirstRequestOutlivesTheHeaderTimeout() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir, "EC");
        try (Server server = Server.start(bounds(1, 60, 100, 100, ""), TlsIdentity.load(cert.certFile(), cert.keyFile()))) {
            List<HttpClient> clients = List.of(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(),
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(cert.clientContext()).build());
            List<String> urls = List.of(server.url("http"), server.url("http"), server.url("https"));
            for (int i = 0; i < clients.size(); i++) {
                HttpResponse<String> r = clients.get(i).send(HttpRequest.newBuilder(URI.create(urls.get(i)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).isEqualTo(i == 0 ? "HTTP/1.1" : "HTTP/2.0");
            }
            assertThat(server.http.openConnections()).isEqualTo(3);
            Thread.sleep(3000);
            assertThat(server.http.openConnections()).as("HTTP/1.1, h2c and h2 kept alive past the header timeout")
                    .isEqualTo(3);
        }
    }

    @Test
    void connectionsOverTheBudgetOfAnAddressOrTheProcessAreClosedAtOnce() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Socket> held = new ArrayList<>();
        try (Server server = Server.start(bounds(10, 60, 12, 5, "127.0.0.9"), null, registry)) {
            for (int i = 0; i < 5; i++) {
                held.add(connectAndGet("127.0.0.2", server.httpPort));
            }
            Socket sixth = connect("127.0.0.2", server.httpPort);
            assertThat(closedWithin(sixth, Duration.ofSeconds(10))).as("sixth from one address").isTrue();
            assertThat(ok("127.0.0.1", server.httpPort)).as("another address still served").isTrue();

            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.http.openConnections() == 4);
            held.add(connectAndGet("127.0.0.2", server.httpPort));

            // A trusted proxy carries many clients: not limited per address, but within the process's budget.
            for (int i = 0; i < 7; i++) {
                held.add(connectAndGet("127.0.0.9", server.httpPort));
            }
            assertThat(server.http.openConnections()).isEqualTo(12);
            Socket overProcess = connect("127.0.0.3", server.httpPort);
            assertThat(closedWithin(overProcess, Duration.ofSeconds(10))).as("over the process's budget").isTrue();

            assertThat(registry.get("castpipe.http.connections.refused").tag("reason", "per_address").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("castpipe.http.connections.refused").tag("reason", "process").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("castpipe.http.connections.open").gauge().value()).isEqualTo(12);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void everyKindOfConnectionGivesItsPlaceBackWhenItCloses() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir, "RSA");
        try (Server server = Server.start(bounds(10, 60, 100, 100, ""), TlsIdentity.load(cert.certFile(), cert.keyFile()))) {
            try (Socket http11 = connectAndGet("127.0.0.2", server.httpPort);
                 Socket upgraded = connect("127.0.0.2", server.httpPort);
                 Socket priorKnowledge = connect("127.0.0.2", server.httpPort);
                 SSLSocket tls11 = tls(cert, server.httpsPort, "http/1.1");
                 SSLSocket tls2 = tls(cert, server.httpsPort, "h2")) {
                send(upgraded, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                        + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
                assertThat(readSome(upgraded)).startsWith("HTTP/1.1 101");
                send(priorKnowledge, PREFACE, EMPTY_SETTINGS);
                assertThat(priorKnowledge.getInputStream().read()).isNotNegative();
                send(tls11, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(readSome(tls11)).startsWith("HTTP/1.1 200");
                assertThat(tls2.getApplicationProtocol()).isEqualTo("h2");
                send(tls2, PREFACE, EMPTY_SETTINGS);
                assertThat(tls2.getInputStream().read()).isNotNegative();
                assertThat(server.http.openConnections()).isEqualTo(5);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.http.openConnections() == 0);
        }
    }

    static HttpBounds bounds(int headerSeconds, int idleSeconds, int max, int perAddress, String trusted) {
        return new HttpBounds(max, perAddress, Duration.ofSeconds(headerSeconds), Duration.ofSeconds(idleSeconds),
                TrustedProxies.parse(trusted));
    }

    private static Socket connect(String from, int port) throws IOException {
        return LoopbackSockets.connect(from, port);
    }

    /** A connection that has had one request answered, so the server surely admitted it. */
    private static Socket connectAndGet(String from, int port) throws IOException {
        Socket s = connect(from, port);
        send(s, "GET /protocol HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(readSome(s)).as("answered").startsWith("HTTP/1.1 200");
        return s;
    }

    private static boolean ok(String from, int port) throws IOException {
        try (Socket s = connectAndGet(from, port)) {
            return true;
        }
    }

    private static SSLSocket tls(SelfSignedCertificate cert, int port, String protocol) throws Exception {
        SSLSocket s = (SSLSocket) cert.clientContext().getSocketFactory().createSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {protocol});
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        send(s, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void send(Socket s, byte[]... chunks) throws IOException {
        OutputStream out = s.getOutputStream();
        for (byte[] c : chunks) {
            out.write(c);
        }
        out.flush();
    }

    private static String readSome(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        byte[] buffer = new byte[4096];
        int n = s.getInputStream().read(buffer);
        return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
    }

    /** True when the server closes (or resets) the connection within {@code limit}; what it sends first is skipped. */
    static boolean closedWithin(Socket s, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            s.setSoTimeout((int) Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
        return false;
    }

    /** A listener on free ports whose {@code /protocol} answers with the request's protocol. */
    private record Server(HttpServer http, int httpPort, int httpsPort) implements AutoCloseable {
        static Server start(HttpBounds bounds, TlsIdentity tls) {
            return start(bounds, tls, new SimpleMeterRegistry());
        }

        static Server start(HttpBounds bounds, TlsIdentity tls, SimpleMeterRegistry registry) {
            int[] ports = FreePorts.take(2);
            HttpServer http = new HttpServer("127.0.0.1", ports[0]).bounds(bounds).meterRegistry(registry)
                    .exact("/protocol", exchange -> exchange.getResponseSender().send(exchange.getProtocol().toString()));
            if (tls != null) {
                http.https(ports[1], tls);
            }
            http.start();
            return new Server(http, ports[0], ports[1]);
        }

        String url(String scheme) {
            return scheme + "://127.0.0.1:" + (scheme.equals("https") ? httpsPort : httpPort) + "/protocol";
        }

        @Override
        public void close() {
            http.close();
        }
    }
}
