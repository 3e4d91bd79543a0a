package io.castpipe.api;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.api.web.WebPages;
import io.castpipe.common.TestServices;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.http.HttpServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The web pages and their static files, over HTTP from the api node as the launcher mounts them. */
class WebPagesTest {
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
    }

    @Test
    void eachPageIsHtmlWithThePolicyAndItsScript() throws Exception {
        assertPage("/", "/static/home.js");
        assertPage("/watch/some-channel", "/static/watch.js");
        assertPage("/videos/0123456789abcdef", "/static/video.js");
        assertPage("/dashboard", null);
    }

    @Test
    void malformedNamesAndIdsAreTheNotFoundPage() throws Exception {
        for (String path : new String[] {"/watch/Bad..Name", "/watch/", "/watch/ok-name/more", "/videos/nope",
                "/videos/0123456789abcdef/x", "/videos/0123456789ABCDEF"}) {
            Response r = http.get(path, null);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.header("Content-Type")).as(path).startsWith("text/html");
            assertThat(r.body()).as(path).contains("<h1>Not found</h1>");
            assertThat(r.header("Content-Security-Policy")).as(path).isNotNull();
        }
    }

    @Test
    void staticFilesAreServedWithTheirTypes() throws Exception {
        Response hls = http.get("/static/vendor/hls.js/hls.min.js", null);
        assertThat(hls.status()).isEqualTo(200);
        assertThat(hls.header("Content-Type")).matches("(application|text)/javascript.*");
        assertThat(hls.body()).contains("lowLatencyMode");
        assertThat(hls.header("X-Content-Type-Options")).isEqualTo("nosniff");
        for (String script : new String[] {"castpipe.js", "player.js", "chat.js", "home.js", "watch.js", "video.js"}) {
            Response r = http.get("/static/" + script, null);
            assertThat(r.status()).as(script).isEqualTo(200);
            assertThat(r.header("Content-Type")).as(script).matches("(application|text)/javascript.*");
        }
        Response css = http.get("/static/castpipe.css", null);
        assertThat(css.header("Content-Type")).startsWith("text/css");
        assertThat(http.get("/static/no-such.js", null).status()).isEqualTo(404);
        Response icon = http.get("/favicon.ico", null);
        assertThat(icon.status()).isEqualTo(200);
        assertThat(icon.header("Content-Type")).startsWith("image/svg+xml");
    }

    @Test
    void pathsOutOfTheStaticFolderAreRefused() throws Exception {
        // Sent byte for byte: an HTTP client library would tidy the dots away before sending.
        assertThat(raw("GET /static/castpipe.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200 ");
        for (String path : new String[] {"/static/../web/WebPages.class", "/static/../../../../io/castpipe/api/web/WebPages.class",
                "/static/%2e%2e/WebPages.class", "/static/..%2fWebPages.class", "/static/vendor/../../WebPages.class",
                "/static/../index.html"}) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String status = answer.substring(0, answer.indexOf("\r\n"));
            assertThat(status).as(path).doesNotContain(" 200 ").matches("HTTP/1.1 (400|403|404) .*");
            assertThat(answer).as(path).doesNotContain("\u00ca\u00fe\u00ba\u00be").doesNotContain("<html");
        }
    }

    @Test
    void pagesTakeGetAndHeadOnly() throws Exception {
        for (String path : new String[] {"/", "/watch/some-channel", "/videos/0123456789abcdef", "/dashboard"}) {
            Response post = http.request("POST", path).body(new byte[] {1}).send();
            assertThat(post.status()).as(path).isEqualTo(405);
            assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
            Response head = http.request("HEAD", path).send();
            assertThat(head.status()).as(path).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void thePolicyLetsMediaComeFromThePublicUrlsOrigin() throws Exception {
        int port = TestServices.freePort();
        HttpServer cdnNode = new HttpServer("127.0.0.1", port);
        WebPages.mount(cdnNode, "https://media.example.net:8443/castpipe/");
        cdnNode.start();
        try {
            String policy = new HttpTestClient("http://127.0.0.1:" + port).get("/watch/some-channel", null)
                    .header("Content-Security-Policy");
            assertThat(directive(policy, "connect-src")).contains(" https://media.example.net:8443 ").contains(" ws: wss:");
            assertThat(directive(policy, "media-src")).contains(" https://media.example.net:8443 ");
            assertThat(directive(policy, "img-src")).contains(" https://media.example.net:8443 ");
            assertThat(directive(policy, "script-src")).isEmpty();
            assertThat(policy).startsWith("default-src 'self';");
        } finally {
            cdnNode.close();
        }
        assertThatThrownBy(() -> WebPages.mount(new HttpServer("127.0.0.1", 0), "media.example.net; script-src *"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CASTPIPE_PUBLIC_URL");
    }

    private static void assertPage(String path, String script) throws Exception {
        Response r = http.get(path, null);
        assertThat(r.status()).as(path).isEqualTo(200);
        assertThat(r.header("Content-Type")).as(path).isEqualTo("text/html; charset=utf-8");
        String policy = r.header("Content-Security-Policy");
        assertThat(policy).as(path).startsWith("default-src 'self';").contains("frame-ancestors 'none'")
                .contains("object-src 'none'");
        // The node's public URL is where its playback URLs point; hls.js's worker starts from a blob.
        assertThat(directive(policy, "media-src")).contains(" " + node.baseUrl + " ");
        assertThat(directive(policy, "worker-src")).isEqualTo(" 'self' blob: ");
        assertThat(r.body()).as(path).doesNotContain("<h1>Not found</h1>");
        if (script != null) {
            assertThat(r.body()).as(path).contains("src=\"" + script + "\"");
        }
    }

    /** The directive's text with a space at each end, or "" when the policy has none. */
    private static String directive(String policy, String name) {
        for (String d : policy.split(";")) {
            String t = d.strip();
            if (t.startsWith(name + " ")) {
                return " " + t.substring(name.length() + 1) + " ";
            }
        }
        return "";
    }

    private static String raw(String request) throws Exception {
        String hostPort = node.baseUrl.substring("http://".length());
        int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
