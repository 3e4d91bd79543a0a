package io.castpipe.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.config.Setting;
import io.castpipe.common.net.LoopbackSockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's token buckets on a node of its own with small allowances: per user, per address
 * without a token, refused tokens spending their address's writes, the admin unlimited, and a
 * client's X-Forwarded-For believed only from a trusted proxy.
 */
class RateLimitsTest {
    private static final int READS = 20;
    private static final int WRITES = 5;
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.isolated(Map.of(Setting.API_READS_PER_MINUTE.env(), String.valueOf(READS),
                Setting.API_WRITES_PER_MINUTE.env(), String.valueOf(WRITES),
                Setting.TRUSTED_PROXIES.env(), "127.0.0.9"));
        http = new HttpTestClient(node.baseUrl);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aUserGetsAMinutesWritesThen429WithRetryAfterWhileOthersGoOn() throws Exception {
        String alice = http.newUser("rate-alice");
        String bob = http.newUser("rate-bob");
        for (int i = 0; i < WRITES; i++) {
            assertThat(http.post("/api/videos", alice, Map.of("title", "v" + i)).status()).isEqualTo(201);
        }
        Response refused = http.post("/api/videos", alice, Map.of("title", "one too many"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        // A write comes back every 60 / WRITES = 12 s.
        assertThat(retryAfter).isBetween(1L, 13L);
        // Reads are a bucket of their own, other users and the admin are not held up.
        assertThat(http.get("/api/me", alice).status()).isEqualTo(200);
        assertThat(http.post("/api/videos", bob, Map.of("title", "bob's")).status()).isEqualTo(201);
        for (int i = 0; i < WRITES * 3; i++) {
            assertThat(http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "rate-admin-" + i)).status())
                    .isEqualTo(201);
        }
    }

    @Test
    void anonymousReadsAreCountedPerAddressAndAForgedForwardedForChangesNothing() throws Exception {
        String address = "127.0.0.5";
        for (int i = 0; i < READS; i++) {
            assertThat(rawGet(address, "/api/videos", "X-Forwarded-For: 198.51.100." + i)).startsWith("HTTP/1.1 200");
        }
        String refused = rawGet(address, "/api/videos", "X-Forwarded-For: 198.51.100.250");
        assertThat(refused).startsWith("HTTP/1.1 429").contains("Retry-After: ").contains("\"code\":\"rate_limited\"");
        assertThat(rawGet("127.0.0.6", "/api/videos", null)).startsWith("HTTP/1.1 200");
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBucket() throws Exception {
        String proxy = "127.0.0.9";
        for (int i = 0; i < READS; i++) {
            assertThat(rawGet(proxy, "/api/live", "X-Forwarded-For: 203.0.113.1")).startsWith("HTTP/1.1 200");
        }
        assertThat(rawGet(proxy, "/api/live", "X-Forwarded-For: 203.0.113.1")).startsWith("HTTP/1.1 429");
        assertThat(rawGet(proxy, "/api/live", "X-Forwarded-For: 203.0.113.2")).startsWith("HTTP/1.1 200");
        // A proxy that adds a line of its own after the client's forged one: the lines are read as one list.
        assertThat(rawGet(proxy, "/api/live", "X-Forwarded-For: 203.0.113.77\r\nX-Forwarded-For: 203.0.113.1"))
                .startsWith("HTTP/1.1 429");
    }

    @Test
    void anAddressOutOfRefusedTokensIsRefusedBeforeAnyTokenIsLookedUp() throws Exception {
        String address = "127.0.0.7";
        String right = http.newUser("rate-guessed");
        for (int i = 0; i < WRITES; i++) {
            assertThat(rawGet(address, "/api/me", "Authorization: Bearer guess-" + i)).startsWith("HTTP/1.1 401");
        }
        assertThat(rawGet(address, "/api/me", "Authorization: Bearer guess-more")).startsWith("HTTP/1.1 429");
        // Now a right token gets the same answer as a wrong one: guessing tells nothing faster.
        assertThat(rawGet(address, "/api/me", "Authorization: Bearer " + right)).startsWith("HTTP/1.1 429")
                .contains("too many refused tokens from this address");
        assertThat(rawGet(address, "/api/live", null)).as("requests without a token go on").startsWith("HTTP/1.1 200");
        assertThat(rawGet("127.0.0.8", "/api/me", "Authorization: Bearer " + right)).startsWith("HTTP/1.1 200");
    }

    /** A GET from a local address of the test's choosing (java.net.http cannot pick one). */
    private static String rawGet(String localAddress, String path, String header) throws IOException {
        try (Socket s = LoopbackSockets.connect(localAddress, URI.create(node.baseUrl).getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (header == null ? "" : header + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
