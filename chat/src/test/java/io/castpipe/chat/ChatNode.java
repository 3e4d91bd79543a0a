package io.castpipe.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.castpipe.common.TestServices;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.NodeContext;

/** A real chat node in the test JVM: a {@link ChatService} on a free port against the embedded broker. */
final class ChatNode implements AutoCloseable {
    static final String SECRET = "chat-test-secret";
    static final Topics TOPICS = new Topics("chattest.");
    static final ChatTokens TOKENS = new ChatTokens(SECRET);

    final int port;
    final Metrics metrics;
    private final ChatService service;

    private ChatNode(int port, Metrics metrics, ChatService service) {
        this.port = port;
        this.metrics = metrics;
        this.service = service;
    }

    static ChatNode start(String nodeId, ChatLimits limits) throws Exception {
        return start(nodeId, limits, TestServices.freePort());
    }

    static ChatNode start(String nodeId, ChatLimits limits, int port) throws Exception {
        return start(nodeId, limits, port, Map.of());
    }

    /** With these settings besides the port, bind address and node id, e.g. CASTPIPE_TRUSTED_PROXIES. */
    static ChatNode start(String nodeId, ChatLimits limits, Map<String, String> settings) throws Exception {
        return start(nodeId, limits, TestServices.freePort(), settings);
    }

    private static ChatNode start(String nodeId, ChatLimits limits, int port, Map<String, String> settings) throws Exception {
        KafkaSettings kafka = kafka();
        TOPICS.ensureCreated(kafka, 2, (short) 1);
        Metrics metrics = new Metrics("chat");
        Map<String, String> env = new HashMap<>(settings);
        env.putAll(Map.of("CASTPIPE_CHAT_PORT", String.valueOf(port), "CASTPIPE_BIND_ADDRESS", "127.0.0.1",
                "CASTPIPE_NODE_ID", nodeId));
        CastpipeConfig config = CastpipeConfig.from(env);
        NodeContext ctx = new NodeContext(config, TestServices.tempDir("chat"), kafka, TOPICS, null, null, null,
                null, metrics, null, SECRET);
        ChatService service = new ChatService(ctx, limits);
        try {
            service.start();
        } catch (Exception e) {
            service.close();
            metrics.close();
            throw e;
        }
        return new ChatNode(port, metrics, service);
    }

    static ChatNode start(String nodeId) throws Exception {
        return start(nodeId, ChatLimits.DEFAULTS);
    }

    static KafkaSettings kafka() throws Exception {
        return new KafkaSettings(TestServices.kafka().bootstrapServers(), "chat-test", Duration.ofSeconds(15));
    }

    /** A producer on the node's topics, for what the API or an origin would publish. */
    static EventPublisher publisher() throws Exception {
        return new EventPublisher(kafka(), TOPICS, "test");
    }

    /** A token for a channel owned by {@code userId} when {@code role} is OWNER, by "owner" otherwise. */
    static String token(String channel, String userId, String userName, ChatTokens.Role role) {
        return token(channel, userId, userName, role, role == ChatTokens.Role.OWNER ? userId : "owner");
    }

    static String token(String channel, String userId, String userName, ChatTokens.Role role, String ownerId) {
        return TOKENS.issue(channel, userId, userName, role, ownerId, Instant.now().plusSeconds(3600));
    }

    ChatClient connect(String channel, String token) throws Exception {
        return ChatClient.connect(port, path(channel, token));
    }

    /** From another loopback address (127.0.0.2, …), with these handshake headers. */
    ChatClient connect(String channel, String token, String localAddress, Map<String, String> headers) throws Exception {
        return ChatClient.connect(port, path(channel, token), localAddress, headers);
    }

    static String path(String channel, String token) {
        return "/chat/" + channel + (token == null ? "" : "?token=" + token);
    }

    /** The value of a counter or gauge line of /metrics, 0 when absent. */
    double scrape(String line) {
        return metrics.scrape().lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    @Override
    public void close() {
        service.close();
        metrics.close();
    }
}
