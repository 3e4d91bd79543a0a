package io.castpipe.api;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.config.Setting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.api.RawHttp.readAnswer;
import static io.castpipe.api.RawHttp.readUntilClosed;
import static io.castpipe.api.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What request bodies may hold: none on GET, HEAD or DELETE; memory only once a byte has arrived;
 * 64 arriving at once per client address and 1,024 per node. The body timeout is a minute here,
 * so nothing below ends because of it. Hostile clients come from 127.0.0.2 and up.
 */
class BodyLimitsTest {
    private static final int PER_ADDRESS = 64;
    private static final int PER_NODE = 1024;
    /** A JSON body of the largest size allowed is received into a chunk one byte larger. */
    private static final int JSON_BYTES = 64 * 1024;
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.isolated(Map.of(Setting.HTTP_BODY_TIMEOUT_SECONDS.env(), "60"));
        http = node.client();
        token = http.newUser("bodies");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aBodyOnGetHeadOrDeleteIsRefusedWithoutWaitingForIt() throws Exception {
        String videoId = http.newVideo(token, "bodiless", "public");
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("GET", "GET /api/videos/" + videoId + " HTTP/1.1\r\nContent-Length: 65536\r\n");
        requests.put("HEAD", "HEAD /api/uploads/0123456789abcdef HTTP/1.1\r\nTransfer-Encoding: chunked\r\n");
        requests.put("DELETE", "DELETE /api/videos/" + videoId + " HTTP/1.1\r\nContent-Length: 10\r\n");
        for (var r : requests.entrySet()) {
            try (Socket s = RawHttp.from("127.0.0.2", node)) {
                send(s, r.getValue() + "Host: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n");
                String answer = readUntilClosed(s);
                assertThat(answer).as(r.getKey()).startsWith("HTTP/1.1 400");
                if (!r.getKey().equals("HEAD")) {
                    assertThat(answer).as(r.getKey()).contains("\"code\":\"body_not_allowed\"");
                }
            }
        }
        assertThat(http.get("/api/videos/" + videoId, token).status()).as("not deleted").isEqualTo(200);
        try (Socket s = RawHttp.from("127.0.0.2", node)) {
            send(s, "GET /api/videos/" + videoId + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            assertThat(readAnswer(s)).as("an empty body is no body").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void anHttp2GetWhoseStreamStaysOpenIsAnsweredAtOnce() throws Exception {
        String videoId = http.newVideo(token, "h2", "public");
        try (Socket s = RawHttp.from("127.0.0.3", node)) {
            Http2 h2 = new Http2(s);
            // HEADERS without END_STREAM and no content-length: a body of unknown length may follow.
            Map<String, String> fields = new LinkedHashMap<>(); // pseudo-header fields first
            fields.put(":method", "GET");
            fields.put(":scheme", "http");
            fields.put(":path", "/api/videos/" + videoId);
            fields.put(":authority", "127.0.0.1");
            fields.put("authorization", "Bearer " + token);
            h2.headers(1, false, fields);
            long started = System.nanoTime();
            assertThat(h2.responseStatus(1)).isEqualTo(200);
            System.out.printf("HTTP/2 GET with its stream open answered after %d ms%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    @Test
    void bodiesArrivingAreCappedPerAddressAndPerNodeAndHoldNoMemoryBeforeTheirFirstByte() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int a = 0; a < PER_NODE / PER_ADDRESS; a++) {
                for (int i = 0; i < PER_ADDRESS; i++) {
                    Socket s = RawHttp.from("127.0.1." + (a + 1), node);
                    send(s, jsonHead(JSON_BYTES));
                    held.add(s);
                }
                if (a == 0) {
                    // One address's share is taken: its next body is refused, and the connection closed.
                    await().atMost(Duration.ofSeconds(30)).until(() -> node.service.bodies().receiving() == PER_ADDRESS);
                    try (Socket over = RawHttp.from("127.0.1.1", node)) {
                        send(over, jsonHead(JSON_BYTES));
                        assertThat(readUntilClosed(over)).startsWith("HTTP/1.1 429").contains("Retry-After: ")
                                .contains("\"code\":\"too_many_bodies\"");
                    }
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> node.service.bodies().receiving() == PER_NODE);
            assertThat(node.service.bodies().bufferedBytes()).as("no chunk before a byte arrives").isZero();

            try (Socket over = RawHttp.from("127.0.2.1", node)) {
                send(over, jsonHead(JSON_BYTES));
                assertThat(readUntilClosed(over)).startsWith("HTTP/1.1 503").contains("Retry-After: ")
                        .contains("\"code\":\"busy\"");
            }
            Response write = http.post("/api/videos", token, Map.of("title", "while full"));
            assertThat(write.status()).as(write.body()).isEqualTo(503);
            assertThat(http.get("/api/videos?mine=true", token).status()).as("reads carry no body").isEqualTo(200);

            for (Socket s : held.subList(0, PER_ADDRESS)) {
                send(s, new byte[] {'{'});
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    node.service.bodies().bufferedBytes() == PER_ADDRESS * (JSON_BYTES + 1L));
            System.out.printf("%d bodies arriving, %d of them with a byte: %d KiB of chunks%n", PER_NODE, PER_ADDRESS,
                    node.service.bodies().bufferedBytes() / 1024);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> node.service.bodies().receiving() == 0
                && node.service.bodies().bufferedBytes() == 0);
        assertThat(http.post("/api/videos", token, Map.of("title", "room again")).status()).isEqualTo(201);
    }

    private static String jsonHead(int length) {
        return "POST /api/videos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** Just enough cleartext HTTP/2 (prior knowledge) to open a stream and read its response's status. */
    private static final class Http2 {
        private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final int HEADERS = 1;
        private static final int SETTINGS = 4;
        private static final int GOAWAY = 7;
        private final Socket socket;
        private final DataInputStream in;

        Http2(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            socket.setSoTimeout(20_000);
            send(socket, PREFACE, frame(SETTINGS, 0, 0, new byte[0]));
        }

        /** A HEADERS frame of literal fields, never indexed (HPACK 6.2.2). */
        void headers(int stream, boolean endStream, Map<String, String> fields) throws IOException {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            fields.forEach((name, value) -> {
                block.write(0x10);
                for (String text : List.of(name, value)) {
                    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
                    block.write(b.length); // every string here is under 127 bytes: no Huffman, a one-byte length
                    block.writeBytes(b);
                }
            });
            send(socket, frame(HEADERS, 0x4 | (endStream ? 0x1 : 0), stream, block.toByteArray()));
        }

        /** The :status of the first HEADERS on {@code stream}: the server's encoder names 200 by its static index. */
        int responseStatus(int stream) throws IOException {
            while (true) {
                int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int id = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (type == SETTINGS && (flags & 0x1) == 0) {
                    send(socket, frame(SETTINGS, 0x1, 0, new byte[0]));
                } else if (type == GOAWAY) {
                    throw new IOException("GOAWAY, error " + ((payload[4] & 0xff) << 24 | (payload[5] & 0xff) << 16
                            | (payload[6] & 0xff) << 8 | payload[7] & 0xff));
                } else if (type == HEADERS && id == stream) {
                    int start = ((flags & 0x8) != 0 ? 1 : 0) + ((flags & 0x20) != 0 ? 5 : 0); // PADDED, PRIORITY
                    int first = payload[start] & 0xff;
                    return switch (first) {
                        case 0x88 -> 200;
                        case 0x8c -> 400;
                        case 0x8d -> 404;
                        case 0x8e -> 500;
                        default -> -first;
                    };
                }
            }
        }

        private static byte[] frame(int type, int flags, int stream, byte[] payload) {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(payload.length >>> 16);
            f.write(payload.length >>> 8);
            f.write(payload.length);
            f.write(type);
            f.write(flags);
            f.write(stream >>> 24);
            f.write(stream >>> 16);
            f.write(stream >>> 8);
            f.write(stream);
            f.writeBytes(payload);
            return f.toByteArray();
        }
    }
}
