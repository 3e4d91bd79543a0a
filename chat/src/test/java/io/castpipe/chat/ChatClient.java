package io.castpipe.chat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.net.SocketFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.castpipe.common.net.LoopbackSockets;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

import static org.assertj.core.api.Assertions.assertThat;

/** A real WebSocket client (Java-WebSocket) that keeps every frame it receives. */
final class ChatClient extends WebSocketClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEADLINE = Duration.ofSeconds(30);

    /** Every frame received, for assertions over all of them. */
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<JsonNode> unread = new LinkedBlockingQueue<>();
    /** Frames passed over by {@link #next} while looking for another type, left for later calls. */
    private final List<JsonNode> skipped = new ArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile int closeCode = -1;
    /** The handshake succeeded; the node may have closed the connection at once after it (a refusal). */
    private volatile boolean opened;

    private ChatClient(URI uri, Map<String, String> headers) {
        super(uri, headers);
    }

    static ChatClient connect(int port, String path) throws Exception {
        return connect(port, path, "127.0.0.1", Map.of());
    }

    /** From {@code localAddress} (any of 127/8), with these handshake headers, e.g. a proxy's X-Forwarded-For. */
    static ChatClient connect(int port, String path, String localAddress, Map<String, String> headers) throws Exception {
        ChatClient c = new ChatClient(URI.create("ws://127.0.0.1:" + port + path), headers);
        c.setSocketFactory(from(localAddress));
        c.connectBlocking(10, TimeUnit.SECONDS);
        assertThat(c.opened).as("handshake with %s", path).isTrue();
        return c;
    }

    /** Unconnected sockets bound to {@code localAddress}; the client connects them. */
    static SocketFactory from(String localAddress) {
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return LoopbackSockets.boundTo(localAddress);
            }

            @Override
            public Socket createSocket(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        opened = true;
    }

    @Override
    public void onMessage(String message) {
        try {
            JsonNode frame = JSON.readTree(message);
            frames.add(frame);
            unread.add(frame);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + message, e);
        }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        closeCode = code;
        closed.countDown();
    }

    @Override
    public void onError(Exception ex) {
    }

    void post(String text) {
        sendJson("type", "message", "text", text);
    }

    void sendJson(Object... pairs) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            o.putPOJO((String) pairs[i], pairs[i + 1]);
        }
        send(o.toString());
    }

    /** The first frame of {@code type} not taken yet, in arrival order; fails after the deadline. */
    JsonNode next(String type) throws InterruptedException {
        return next(f -> type.equals(f.path("type").asText()), type);
    }

    JsonNode next(Predicate<JsonNode> wanted, String what) throws InterruptedException {
        for (int i = 0; i < skipped.size(); i++) {
            if (wanted.test(skipped.get(i))) {
                return skipped.remove(i);
            }
        }
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode f = unread.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && wanted.test(f)) {
                return f;
            }
            if (f != null) {
                skipped.add(f);
            } else if (isClosed() && unread.isEmpty()) {
                throw new AssertionError("no " + what + " frame: the connection closed (" + closeCode + ")");
            }
        }
        throw new AssertionError("no " + what + " frame within " + DEADLINE.toSeconds() + " s");
    }

    /** Messages' texts as they arrive, until {@code count} of them came. */
    List<JsonNode> messages(int count) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        while (out.size() < count) {
            out.add(next("message"));
        }
        return out;
    }

    boolean awaitClosed() throws InterruptedException {
        return closed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
}
