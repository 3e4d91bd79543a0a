package io.castpipe.chat.socket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.castpipe.chat.ChatLimits;
import io.castpipe.chat.limit.FloodGuard;
import io.castpipe.chat.limit.UserLimits;
import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.chat.room.Rooms;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.net.RefusalLog;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat node's WebSocket listener (Java-WebSocket): {@code /chat/{channel}?token=}, anything
 * else 404 at the handshake. A frame over {@link #MAX_FRAME_BYTES} closes the connection with
 * 1009. A new client over its address's share ({@link AddressGate}) is closed with 1008; beyond
 * {@code maxConnections} with 1013 (try again later); a user whose tokens hold
 * {@link UserLimits#MAX_CONNECTIONS} here already with 1008. Each connection is set up by
 * {@link GuardedSocketFactory}.
 */
public final class ChatServer extends WebSocketServer {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    public static final int MAX_FRAME_BYTES = 4096;
    private static final Duration WRITE_SWEEP = Duration.ofMillis(250);
    private static final Duration FORGET_USERS = Duration.ofSeconds(10);
    private static final Duration SWEEP_STALL_LIMIT = Duration.ofSeconds(60);

    private final int maxConnections;
    private final Rooms rooms;
    private final ChatTokens tokens;
    private final FrameHandler frames;
    private final ChatLimits limits;
    private final ChatMeters meters;
    private final UserLimits users;
    private final AddressGate gate;
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);
    private final RefusalLog fullRefusals = new RefusalLog(log, "chat connection(s): this node was full", REFUSAL_LOG_INTERVAL);
    private final RefusalLog userRefusals = new RefusalLog(log, "chat connection(s): over " + UserLimits.MAX_CONNECTIONS
            + " per user", REFUSAL_LOG_INTERVAL);
    private final ExecutorService closer = Executors.newSingleThreadExecutor(DaemonThreads.named("chat-drops"));
    private final Supervisor supervisor;
    private final List<Supervised> sweeps = new CopyOnWriteArrayList<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Exception startFailure;

    public ChatServer(InetSocketAddress address, int maxConnections, int maxConnectionsPerAddress, TrustedProxies proxies,
                      Rooms rooms, ChatTokens tokens, EventPublisher publisher, String node, ChatLimits limits, ChatMeters meters,
                      Supervisor supervisor) {
        super(address, List.of(new Draft_6455(List.of(), List.of(new Protocol("")), MAX_FRAME_BYTES)));
        this.supervisor = supervisor;
        this.maxConnections = maxConnections;
        this.rooms = rooms;
        this.tokens = tokens;
        this.frames = new FrameHandler(publisher, node, meters);
        this.limits = limits;
        this.meters = meters;
        this.users = new UserLimits(limits.postBurst(), limits.postRefill());
        setReuseAddr(true);
        setDaemon(true);
        this.gate = new AddressGate(maxConnectionsPerAddress, proxies, meters);
        setWebSocketFactory(new GuardedSocketFactory(gate));
    }

    /** Waits until the port is open; throws what kept it from opening. */
    public void awaitListening(Duration limit) throws Exception {
        if (!started.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the chat listener did not open within " + limit.toSeconds() + " s");
        }
        if (startFailure != null) {
            throw startFailure;
        }
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft, ClientHandshake request)
            throws InvalidDataException {
        if (ChatPath.parse(request.getResourceDescriptor()).isEmpty()) {
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no such chat path");
        }
        return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onOpen(WebSocket ws, ClientHandshake handshake) {
        Optional<ChatPath> path = ChatPath.parse(ws.getResourceDescriptor());
        if (path.isEmpty()) {
            ws.close(CloseFrame.POLICY_VALIDATION, "no such chat path");
            return;
        }
        String channel = path.get().channel();
        String forwardedFor = handshake.getFieldValue("X-Forwarded-For");
        if (!gate.admitOpened((ClientChannel) ((WebSocketImpl) ws).getChannel(), forwardedFor.isEmpty() ? null : forwardedFor)) {
            ws.close(CloseFrame.POLICY_VALIDATION, "too many connections from your address; close some and try again");
            return;
        }
        if (meters.connections().get() >= maxConnections) {
            refuse(ws, CloseFrame.TRY_AGAIN_LATER, "full", fullRefusals, channel, "this chat node is full; try again later");
            return;
        }
        String token = path.get().token();
        ChatTokens.Holder holder = token == null ? null : tokens.verify(token, channel, Instant.now()).orElse(null);
        long now = System.nanoTime();
        UserLimits.User user = holder == null ? null : users.connect(holder.userId(), now);
        if (holder != null && user == null) {
            refuse(ws, CloseFrame.POLICY_VALIDATION, "user_limit", userRefusals, "user " + holder.userId(),
                    "you hold " + UserLimits.MAX_CONNECTIONS + " chat connections to this node already");
            return;
        }
        ChatConnection c = new ChatConnection((WebSocketImpl) ws, channel, holder, user, limits.maxQueuedFrames(), closer,
                meters, new FloodGuard(now));
        ws.setAttachment(c);
        meters.connections().incrementAndGet();
        if (token != null && holder == null) {
            c.error("invalid_token", "this chat token is not valid for this channel or has expired; you can read but not post");
        }
        c.joined(rooms.join(channel, c));
        if (!ws.isOpen()) {
            rooms.leave(c.room(), c);
        }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason, boolean remote) {
        ChatConnection c = ws.getAttachment();
        if (c != null) {
            meters.connections().decrementAndGet();
            if (c.user() != null) {
                users.disconnect(c.holder().userId());
            }
            if (c.room() != null) {
                rooms.leave(c.room(), c);
            }
        }
    }

    /** Closes a connection refused as it opened with {@code code}: counted, and logged without flooding the log. */
    private void refuse(WebSocket ws, int code, String reason, RefusalLog refusals, String who, String sentence) {
        meters.dropped(reason);
        refusals.refused(who);
        ws.close(code, sentence);
    }

    @Override
    public void onMessage(WebSocket ws, String message) {
        ChatConnection c = ws.getAttachment();
        if (c != null) {
            frames.onText(c, message);
        }
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer message) {
        ChatConnection c = ws.getAttachment();
        if (c != null) {
            frames.onBinary(c);
        }
    }

    @Override
    public void onError(WebSocket ws, Exception ex) {
        if (ws == null && started.getCount() > 0) {
            startFailure = ex;
            started.countDown();
        } else if (ws == null) {
            log.error("the chat server stopped serving: {}", ex.toString(), ex);
        } else {
            log.debug("chat connection {}: {}", ws.getRemoteSocketAddress(), ex.toString());
        }
    }

    @Override
    public void onStart() {
        sweeps.add(supervisor.every("chat-write-sweep", WRITE_SWEEP, SWEEP_STALL_LIMIT, this::wakeWriters));
        sweeps.add(supervisor.every("chat-idle-users", FORGET_USERS, SWEEP_STALL_LIMIT, () -> users.forgetIdle(System.nanoTime())));
        started.countDown();
    }

    /**
     * Asks again for the sockets of connections with frames waiting to be written (queued, or the
     * rest of one written at once). Java-WebSocket's
     * selector thread stops watching a socket for writing once it found the queue empty, and a
     * frame queued by another thread in between waits for the next one; this bounds that wait.
     */
    private void wakeWriters() {
        for (WebSocket ws : getConnections()) {
            WebSocketImpl impl = (WebSocketImpl) ws;
            boolean waiting = !impl.outQueue.isEmpty() || impl.getChannel() instanceof ClientChannel c && c.isNeedWrite();
            if (waiting && impl.isOpen()) {
                onWriteDemand(impl);
            }
        }
    }

    @Override
    public void stop(int timeout, String message) throws InterruptedException {
        sweeps.forEach(Supervised::close);
        // Java-WebSocket's stop() tells the connections one by one while its selector thread winds
        // down after a few short selects; with thousands connected the selector closes before the
        // last are told, and stop() fails. Told here first, while the selector still runs.
        for (WebSocket ws : getConnections()) {
            ws.close(CloseFrame.GOING_AWAY, message);
        }
        super.stop(timeout, message);
        closer.shutdownNow();
    }
}
