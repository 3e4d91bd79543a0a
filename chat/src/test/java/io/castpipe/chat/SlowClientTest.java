package io.castpipe.chat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.auth.ChatTokens.Role;
import org.junit.jupiter.api.Test;

import static io.castpipe.chat.ChatClient.JSON;
import static io.castpipe.chat.ChatNode.token;
import static org.assertj.core.api.Assertions.assertThat;

/** A client that stops reading is dropped once its queue is full; the room and the other clients carry on. */
class SlowClientTest {
    private static final String DROPS = "castpipe_chat_drops_total{reason=\"too_slow\",roles=\"chat\"}";

    @Test
    void aClientThatStopsReadingIsDroppedWhileOthersGetEveryMessage() throws Exception {
        ChatLimits smallQueue = new ChatLimits(1000, Duration.ofMillis(1), 20, Duration.ofSeconds(5), Duration.ofMillis(50));
        String channel = "slow-reader-room";
        try (ChatNode node = ChatNode.start("slow", smallQueue);
             Socket stalled = stalledClient(node.port, channel);
             ChatClient sender = node.connect(channel, token(channel, "talker", "Talker", Role.VIEWER));
             ChatClient reader = node.connect(channel, null)) {
            reader.next("history");
            String big = "\u20ac".repeat(490); // 1,470 bytes of UTF-8 a message
            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (node.scrape(DROPS) < 1 && System.nanoTime() < deadline) {
                sender.post(sent + " " + big);
                sent++;
                Thread.sleep(60); // under the flood guard's 20 frames a second
            }
            assertThat(node.scrape(DROPS)).as("the stalled client was dropped").isEqualTo(1);
            System.out.println("stalled client dropped after " + sent + " messages");

            sender.post("after the drop");
            sent++;
            assertThat(reader.messages(sent)).as("the reading client got every message").hasSize(sent)
                    .last().satisfies(m -> assertThat(m.get("text").asText()).isEqualTo("after the drop"));
            assertThat(readsToTheEnd(stalled)).as("the stalled client's connection was closed").isTrue();
            ChatRoomTest.await(() -> node.scrape("castpipe_chat_connections{roles=\"chat\"}") == 2);
        }
    }

    /**
     * A reader that pauses long enough for its socket to fill gets, once it reads again, every
     * frame whole and in order: the part of a tick the socket did not take goes out before anything
     * sent later, whichever thread writes it.
     */
    @Test
    void aClientThatPausesReadingGetsEveryFrameWholeAndInOrder() throws Exception {
        ChatLimits limits = new ChatLimits(1000, Duration.ofMillis(1), 1000, Duration.ofHours(1), Duration.ofMillis(50));
        String channel = "pausing-reader-room";
        try (ChatNode node = ChatNode.start("pausing", limits);
             Socket paused = stalledClient(node.port, channel);
             ChatClient sender = node.connect(channel, token(channel, "talker", "Talker", Role.VIEWER))) {
            String big = "\u20ac".repeat(490);
            int sent = 150; // 220 KB: well over what the socket buffers hold
            for (int i = 0; i < sent; i++) {
                sender.post(i + " " + big);
                Thread.sleep(60);
            }
            sender.messages(sent);
            List<String> texts = new ArrayList<>();
            try (DataInputStream in = new DataInputStream(paused.getInputStream())) {
                paused.setSoTimeout(30_000);
                skipResponseHead(in);
                while (texts.size() < sent) {
                    JsonNode frame = JSON.readTree(readServerTextFrame(in));
                    if (frame.path("type").asText().equals("message")) {
                        texts.add(frame.get("text").asText());
                    }
                }
            }
            for (int i = 0; i < sent; i++) {
                assertThat(texts.get(i)).as("message %d", i).isEqualTo(i + " " + big);
            }
            assertThat(node.scrape(DROPS)).as("a reader that catches up is not dropped").isZero();
        }
    }

    private static void skipResponseHead(DataInputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.readUnsignedByte();
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    /** One unmasked, unfragmented text frame, as the server sends them. */
    private static String readServerTextFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        assertThat(first).as("FIN and the text opcode").isEqualTo(0x81);
        long length = in.readUnsignedByte();
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        assertThat(length).as("frame length").isBetween(0L, 65_536L);
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Test
    void aClientThatSendsWithoutReadingIsDroppedOnceItsErrorsPileUp() throws Exception {
        // No viewer announcements: only this client's own error frames may fill its queue.
        ChatLimits smallQueue = new ChatLimits(1000, Duration.ofMillis(1), 20, Duration.ofHours(1), Duration.ofMillis(50));
        String channel = "deaf-sender-room";
        try (ChatNode node = ChatNode.start("deaf", smallQueue);
             ChatClient talker = node.connect(channel, token(channel, "talker", "Talker", Role.VIEWER))) {
            String big = "\u20ac".repeat(490);
            for (int i = 0; i < 50; i++) {
                talker.post(i + " " + big);
                Thread.sleep(60);
            }
            talker.messages(50);
            try (Socket deaf = stalledClient(node.port, channel)) {
                // The 70 KiB history fills the socket; what follows waits in the queue.
                OutputStream out = deaf.getOutputStream();
                for (int i = 0; i < 40 && node.scrape(DROPS) < 1; i++) {
                    out.write(maskedTextFrame("{}"));
                    out.flush();
                    Thread.sleep(60); // under the flood guard's 20 frames a second
                }
                ChatRoomTest.await(() -> node.scrape(DROPS) == 1);
                assertThat(readsToTheEnd(deaf)).as("the connection was closed").isTrue();
            }
        }
    }

    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /** Completes the handshake with a tiny receive window, then never reads. */
    private static Socket stalledClient(int port, String channel) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /chat/" + channel + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    /** Drains what the server had sent; true once the connection ends. */
    private static boolean readsToTheEnd(Socket s) throws IOException {
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[65536];
        try {
            while (in.read(buf) != -1) {
                // drain
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }
}
