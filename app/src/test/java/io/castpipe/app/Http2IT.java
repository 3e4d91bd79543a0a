package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.castpipe.common.TestServices;
import io.castpipe.common.http.Curl;
import io.castpipe.common.http.SelfSignedCertificate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./castpipe} with a certificate: HTTP/2 over TLS on the HTTPS port by ALPN, cleartext
 * HTTP/2 on the HTTP port (by Upgrade and with prior knowledge), HTTP/1.1 on both still.
 */
class Http2IT {

    @Test
    void aNodeWithACertificateSpeaksHttp2OnBothPorts() throws Exception {
        Path dir = TestServices.tempDir("h2");
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve("tls"), "RSA");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        int httpsPort = CastpipeProcess.freePort();
        env.put("CASTPIPE_HTTPS_PORT", String.valueOf(httpsPort));
        env.put("CASTPIPE_TLS_CERT", cert.certFile().toString());
        env.put("CASTPIPE_TLS_KEY", cert.keyFile().toString());

        try (CastpipeProcess node = CastpipeProcess.start(env)) {
            node.awaitHealthy(Duration.ofSeconds(30));
            assertThat(node.stdoutText()).contains("HTTPS     https://localhost:" + httpsPort);

            HttpClient tls = HttpClient.newBuilder().sslContext(cert.clientContext()).build();
            HttpResponse<String> secure = tls.send(get("https://127.0.0.1:" + httpsPort + "/healthz"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(secure.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(secure.body()).contains("\"status\":\"up\"");
            HttpResponse<String> secure11 = HttpClient.newBuilder().sslContext(cert.clientContext())
                    .version(HttpClient.Version.HTTP_1_1).build()
                    .send(get("https://127.0.0.1:" + httpsPort + "/healthz"), HttpResponse.BodyHandlers.ofString());
            assertThat(secure11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(secure11.statusCode()).isEqualTo(200);

            String clear = "http://127.0.0.1:" + node.httpPort + "/healthz";
            HttpResponse<String> upgraded = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
                    .send(get(clear), HttpResponse.BodyHandlers.ofString());
            assertThat(upgraded.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(upgraded.body()).contains("\"status\":\"up\"");
            if (Curl.speaksHttp2()) {
                assertThat(Curl.run("--http2-prior-knowledge", "-w", "\\n%{http_version} %{http_code}\\n", clear))
                        .contains("\"status\":\"up\"").endsWith("\n2 200\n");
            }
            node.terminate(Duration.ofSeconds(10));
            assertThat(node.stdoutText()).contains("HTTPS listening on").doesNotContain("Exception");
        }
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    }
}
