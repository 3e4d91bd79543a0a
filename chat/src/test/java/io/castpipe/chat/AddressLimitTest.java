package io.castpipe.chat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.castpipe.common.auth.ChatTokens.Role;
import io.castpipe.common.net.LoopbackSockets;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.castpipe.chat.ChatNode.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client address holds at most CASTPIPE_CHAT_MAX_CONNECTIONS_PER_ADDRESS connections (5 here),
 * counted from the moment its socket is accepted, so sockets that never finish their handshake
 * count too. Behind a trusted proxy the client is the one its X-Forwarded-For names, and the proxy
 * itself is not limited. Hostile clients come from 127.0.0.2 and up; everyone else from 127.0.0.1.
 */
class AddressLimitTest {
    private static final String PROXY = "127.0.0.3";
    private static ChatNode node;
    private final List<Socket> raw = new ArrayList<>();
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeAll
    static void startNode() throws Exception {
        node = ChatNode.start("address-limit", ChatLimits.DEFAULTS, Map.of(
                "CASTPIPE_CHAT_MAX_CONNECTIONS_PER_ADDRESS", "5", "CASTPIPE_TRUSTED_PROXIES", PROXY));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @AfterEach
    void closeAll() throws IOException {
        for (Socket s : raw) {
            s.close();
        }
        clients.forEach(ChatClient::close);
    }

    @Test
    void handshakesNeverFinishedCountAgainstTheAddress() throws Exception {
        String channel = "address-room";
        for (int i = 0; i < 5; i++) {
            raw.add(openFrom("127.0.0.2"));
        }
        ChatClient refused = connect(channel, "127.0.0.2", Map.of());
        assertThat(refused.awaitClosed()).isTrue();
        assertThat(refused.closeCode).isEqualTo(CloseFrame.POLICY_VALIDATION);
        assertThat(refused.frames).noneMatch(f -> f.path("type").asText().equals("history"));
        assertThat(connect(channel, "127.0.0.1", Map.of()).next("history")).as("another address is not held up").isNotNull();

        // As many again are let through to their handshake only to be refused; beyond that a socket is closed unread.
        for (int i = 0; i < 5; i++) {
            raw.add(openFrom("127.0.0.2"));
        }
        assertThat(handshakeAnswer("127.0.0.2")).as("no handshake answer, the socket closed at once").isEmpty();
        assertThat(node.scrape("castpipe_chat_drops_total{reason=\"address_limit\",roles=\"chat\"}")).isGreaterThanOrEqualTo(2);

        for (Socket s : raw) {
            s.close();
        }
        raw.clear();
        ChatRoomTest.await(() -> joins(channel, "127.0.0.2", Map.of()));
    }

    @Test
    void behindATrustedProxyEachForwardedClientIsLimitedAndTheProxyIsNot() throws Exception {
        String channel = "proxied-room";
        for (int i = 0; i < 7; i++) {
            raw.add(openFrom(PROXY));
        }
        Map<String, String> seven = Map.of("X-Forwarded-For", "198.51.100.7");
        for (int i = 0; i < 5; i++) {
            assertThat(connect(channel, PROXY, seven).next("history")).isNotNull();
        }
        ChatClient sixth = connect(channel, PROXY, seven);
        assertThat(sixth.awaitClosed()).isTrue();
        assertThat(sixth.closeCode).isEqualTo(CloseFrame.POLICY_VALIDATION);
        assertThat(connect(channel, PROXY, Map.of("X-Forwarded-For", "198.51.100.8")).next("history")).isNotNull();
        for (int i = 0; i < 6; i++) {
            assertThat(connect(channel, PROXY, Map.of()).next("history")).as("the proxy's own connections").isNotNull();
        }

        // Anyone else's X-Forwarded-For is not believed: the client is the peer.
        for (int i = 0; i < 5; i++) {
            assertThat(connect(channel, "127.0.0.4", Map.of("X-Forwarded-For", "198.51.100." + (20 + i))).next("history"))
                    .isNotNull();
        }
        ChatClient spoofing = connect(channel, "127.0.0.4", Map.of("X-Forwarded-For", "198.51.100.30"));
        assertThat(spoofing.awaitClosed()).isTrue();
        assertThat(spoofing.closeCode).isEqualTo(CloseFrame.POLICY_VALIDATION);
    }

    private ChatClient connect(String channel, String from, Map<String, String> headers) throws Exception {
        ChatClient c = node.connect(channel, token(channel, "u" + clients.size(), "U", Role.VIEWER), from, headers);
        clients.add(c);
        return c;
    }

    private boolean joins(String channel, String from, Map<String, String> headers) {
        try (ChatClient c = node.connect(channel, null, from, headers)) {
            c.next(f -> true, "any frame");
            return c.frames.get(0).path("type").asText().equals("history") && c.isOpen();
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    private static Socket openFrom(String localAddress) throws IOException {
        return LoopbackSockets.connect(localAddress, node.port);
    }

    /** What a whole handshake from {@code localAddress} is answered with until the node closes: "" for nothing. */
    private static String handshakeAnswer(String localAddress) throws IOException {
        try (Socket s = openFrom(localAddress)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /chat/address-room HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            try {
                for (int b; (b = in.read()) != -1 && b != '\r'; ) {
                    answer.append((char) b);
                }
            } catch (SocketException reset) {
                // closed by the node
            }
            return answer.toString();
        }
    }
}
