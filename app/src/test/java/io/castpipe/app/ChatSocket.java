package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A chat client as a browser is one: a WebSocket (the JDK's) keeping every frame it receives, in order. */
final class ChatSocket implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<JsonNode> frames = new ArrayList<>();
    private final WebSocket socket;
    private volatile String closedWith;

    private ChatSocket(URI uri) throws Exception {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, new Listener())
                .get(20, TimeUnit.SECONDS);
    }

    /** Joins {@code channel}'s room on the chat node at {@code port}, with a token or (null) read-only. */
    static ChatSocket join(int port, String channel, String token) throws Exception {
        return open(URI.create("ws://127.0.0.1:" + port + "/chat/" + channel + (token == null ? "" : "?token=" + token)));
    }

    /** Joins the room at {@code uri}: a chat node's, or a proxy's in front of chat nodes. */
    static ChatSocket open(URI uri) throws Exception {
        return new ChatSocket(uri);
    }

    /** Whether the server closed the connection (or it broke). */
    boolean closed() {
        return closedWith != null;
    }

    void send(String json) throws Exception {
        socket.sendText(json, true).get(10, TimeUnit.SECONDS);
    }

    void say(String text) throws Exception {
        send(JSON.writeValueAsString(java.util.Map.of("type", "message", "text", text)));
    }

    /** Every frame received so far of this type. */
    List<JsonNode> frames(String type) {
        synchronized (frames) {
            return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
        }
    }

    /** Waits until the frames received so far satisfy {@code done}. */
    void await(String what, Duration limit, Predicate<ChatSocket> done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.test(this)) {
            if (System.nanoTime() > deadline) {
                synchronized (frames) {
                    throw new AssertionError("waited " + limit + " for " + what + "; closed: " + closedWith
                            + "; last frames: " + frames.subList(Math.max(0, frames.size() - 5), frames.size()));
                }
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(text.toString());
                    synchronized (frames) {
                        frames.add(frame);
                    }
                } catch (Exception e) {
                    throw new AssertionError("a frame that is not JSON: " + text, e);
                } finally {
                    text.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closedWith = status + " " + reason;
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closedWith = "broken: " + error;
        }
    }
}
