package io.castpipe.chat;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.castpipe.chat.log.ChatLog;
import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.chat.room.Rooms;
import io.castpipe.chat.socket.ChatServer;
import io.castpipe.chat.viewers.ChannelViewers;
import io.castpipe.chat.viewers.ViewerAnnouncer;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.node.Supervised;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat role: a WebSocket server on {@code CASTPIPE_CHAT_PORT} with one room per channel,
 * every room fed from the {@code chat} topic (see the module README for the frames, the limits
 * and how nodes share a room).
 */
public final class ChatService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ChatService.class);
    /** A flush writes what rooms encoded to sockets that never block; one taking this long is stuck. */
    private static final Duration FAN_OUT_STALL_LIMIT = Duration.ofSeconds(30);

    private final NodeContext ctx;
    private final ChatLimits limits;
    private EventPublisher publisher;
    private ChatLog chatLog;
    private ChannelViewers viewers;
    private ViewerAnnouncer announcer;
    private Supervised fanOut;
    /** Writes the second half of a crowd's clients while the fan-out thread writes the first. */
    private final ExecutorService fanOutHelper = Executors.newSingleThreadExecutor(DaemonThreads.named("chat-fan-out-2"));
    private ChatServer server;

    public ChatService(NodeContext ctx) {
        this(ctx, ChatLimits.DEFAULTS);
    }

    /** With other limits: for tests. */
    ChatService(NodeContext ctx, ChatLimits limits) {
        this.ctx = ctx;
        this.limits = limits;
    }

    @Override
    public void start() throws Exception {
        CastpipeConfig config = ctx.config();
        String bindAddress = config.string(Setting.BIND_ADDRESS);
        int port = config.port(Setting.CHAT_PORT);
        int maxConnections = config.integer(Setting.CHAT_MAX_CONNECTIONS, 1, 1_000_000);
        int maxConnectionsPerAddress = config.integer(Setting.CHAT_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000);
        TrustedProxies proxies = TrustedProxies.fromConfig(config);
        InetSocketAddress address = new InetSocketAddress(bindAddress, port);
        requireFree(address);
        ChatTokens tokens = new ChatTokens(ctx.signingSecret());
        ChatMeters meters = new ChatMeters(ctx.metrics().registry());
        Rooms rooms = new Rooms(meters);

        publisher = new EventPublisher(ctx.kafka(), ctx.topics(), "chat");
        chatLog = new ChatLog(ctx.supervisor(), ctx.kafka(), ctx.topics(), rooms);
        chatLog.start();
        Duration replayLimit = ctx.kafka().timeout().multipliedBy(2);
        if (!chatLog.awaitReplayed(replayLimit)) {
            log.warn("the chat rooms were not rebuilt from Kafka within {} s; opening anyway, rooms fill in as records arrive",
                    replayLimit.toSeconds());
        }
        try {
            publisher.learnPartitions(Topic.CHAT, Topic.CHAT_STATE);
        } catch (KafkaException e) {
            log.warn("the chat topics' partitions are not known yet ({}); the first post may wait for them", e.toString());
        }
        viewers = new ChannelViewers(ctx.supervisor(), ctx.kafka(), ctx.topics());
        viewers.start();
        announcer = new ViewerAnnouncer(rooms, viewers, limits.viewersInterval());
        announcer.start(ctx.supervisor());

        fanOut = ctx.supervisor().every("chat-fan-out", limits.fanOutInterval(), FAN_OUT_STALL_LIMIT,
                () -> rooms.flush(fanOutHelper));

        server = new ChatServer(address, maxConnections, maxConnectionsPerAddress, proxies, rooms, tokens, publisher,
                ctx.nodeId(), limits, meters, ctx.supervisor());
        server.start();
        try {
            server.awaitListening(Duration.ofSeconds(10));
        } catch (BindException e) {
            throw ConfigException.portInUse("chat", port, Setting.CHAT_PORT, e);
        }
        log.info("chat {} listening on ws://{}:{}/chat/{channel} (at most {} connections, {} per address)", ctx.nodeId(),
                bindAddress, port, maxConnections, maxConnectionsPerAddress);
    }

    /** Java-WebSocket reports a port in use with a logged stack trace; checked first, the failure is one line. */
    private static void requireFree(InetSocketAddress address) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (BindException e) {
            throw ConfigException.portInUse("chat", address.getPort(), Setting.CHAT_PORT, e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop(1000, "this chat node is stopping");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fanOut != null) {
            fanOut.close();
        }
        fanOutHelper.shutdownNow();
        if (announcer != null) {
            announcer.close();
        }
        if (viewers != null) {
            viewers.close();
        }
        if (chatLog != null) {
            chatLog.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
