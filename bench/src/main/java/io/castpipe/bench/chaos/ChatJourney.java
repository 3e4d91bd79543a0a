package io.castpipe.bench.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A person chatting through the faults: a message every two seconds, each one counted as
 * confirmed (it came back from the room), refused (an error frame, or the connection closed
 * before it came back: the sender knows to send it again) or neither. A second person only
 * watches, reconnecting whenever the connection drops, and notes every message it sees, live
 * or in the history a new connection gets. A confirmed message the watcher never saw is lost.
 */
final class ChatJourney implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration ECHO_LIMIT = Duration.ofSeconds(10);

    private final URI room;
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final Thread sender;
    private final Thread watcher;
    private volatile boolean stopped;

    ChatJourney(int chatPort, String channel, String token) {
        this.room = URI.create("ws://127.0.0.1:" + chatPort + "/chat/" + channel + "?token=" + token);
        this.sender = new Thread(this::send, "chaos-chat-sender");
        this.watcher = new Thread(this::watch, "chaos-chat-watcher");
    }

    void start() {
        sender.start();
        watcher.start();
    }

    int sent() {
        return sent.get();
    }

    int confirmed() {
        return confirmed.size();
    }

    int refused() {
        return refused.get();
    }

    /** Confirmed to the sender, never seen by the watcher. */
    int lost() {
        return (int) confirmed.stream().filter(m -> !seen.contains(m)).count();
    }

    /** One round trip on a connection of its own: the chat role serves again. */
    boolean roundTrip(String text) {
        Frames frames = new Frames();
        try {
            WebSocket ws = open(frames);
            try {
                ws.sendText(JSON.writeValueAsString(Map.of("type", "message", "text", text)), true).get(5, TimeUnit.SECONDS);
                return frames.await(f -> text.equals(f.path("text").asText()), ECHO_LIMIT) != null;
            } finally {
                ws.abort();
            }
        } catch (Exception e) {
            return false;
        }
    }

    private void send() {
        int n = 0;
        while (!stopped) {
            Frames frames = new Frames();
            try {
                WebSocket ws = open(frames);
                while (!stopped && !frames.closed) {
                    String text = "chaos " + n++;
                    sent.incrementAndGet();
                    ws.sendText(JSON.writeValueAsString(Map.of("type", "message", "text", text)), true).get(5, TimeUnit.SECONDS);
                    JsonNode answer = frames.await(f -> text.equals(f.path("text").asText())
                            || "error".equals(f.path("type").asText()), ECHO_LIMIT);
                    if (answer != null && text.equals(answer.path("text").asText())) {
                        confirmed.add(text);
                    } else {
                        refused.incrementAndGet();
                    }
                    Thread.sleep(2000);
                }
                ws.abort();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                pause();
            }
        }
    }

    private void watch() {
        while (!stopped) {
            Frames frames = new Frames(seen);
            try {
                WebSocket ws = open(frames);
                while (!stopped && !frames.closed) {
                    Thread.sleep(200);
                }
                ws.abort();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                pause();
            }
        }
    }

    private WebSocket open(Frames frames) throws Exception {
        return HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3)).buildAsync(room, frames).get(5, TimeUnit.SECONDS);
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        sender.interrupt();
        watcher.interrupt();
        sender.join(10_000);
        watcher.join(10_000);
    }

    /** Frames of one connection; notes the text of every message, live or in the history. */
    private static final class Frames implements WebSocket.Listener {
        private final java.util.List<JsonNode> received = new java.util.ArrayList<>();
        private final Set<String> texts;
        private final StringBuilder text = new StringBuilder();
        private volatile boolean closed;

        Frames() {
            this(ConcurrentHashMap.newKeySet());
        }

        Frames(Set<String> texts) {
            this.texts = texts;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(text.toString());
                    texts.addAll(frame.findValuesAsText("text"));
                    synchronized (received) {
                        received.add(frame);
                        received.notifyAll();
                    }
                } catch (Exception e) {
                    // not JSON: not a frame this journey waits for
                } finally {
                    text.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed = true;
            synchronized (received) {
                received.notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            onClose(ws, 1006, error.toString());
        }

        /** The first frame from now on that {@code match} accepts, or null if none came in time or the connection closed. */
        JsonNode await(java.util.function.Predicate<JsonNode> match, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            synchronized (received) {
                int from = 0;
                while (true) {
                    for (; from < received.size(); from++) {
                        if (match.test(received.get(from))) {
                            return received.remove(from);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (closed || left <= 0) {
                        return null;
                    }
                    received.wait(Math.max(1, left / 1_000_000));
                }
            }
        }
    }
}
