package io.castpipe.chat.socket;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import io.castpipe.chat.limit.FloodGuard;
import io.castpipe.chat.limit.UserLimits;
import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.chat.protocol.ServerFrames;
import io.castpipe.chat.room.LastPost;
import io.castpipe.chat.room.Member;
import io.castpipe.chat.room.Room;
import io.castpipe.common.auth.ChatTokens;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to a room: who holds it (null for read-only), its own limits and its
 * holder's, and its outgoing queue, which may hold at most {@code maxQueuedFrames} frames the
 * client has not taken yet. The room's frames, already encoded, are written to the socket at once
 * when nothing waits for it, and otherwise put on that queue; a client that lets it fill is cut off.
 */
final class ChatConnection implements Member {
    private static final Logger log = LoggerFactory.getLogger(ChatConnection.class);

    private final WebSocketImpl socket;
    private final String channel;
    private final ChatTokens.Holder holder;
    private final int maxQueuedFrames;
    private final Executor closer;
    private final ChatMeters meters;
    private final FloodGuard flood;
    private final UserLimits.User user;
    private final AtomicBoolean dropped = new AtomicBoolean();
    private volatile Room room;
    private LastPost lastPost;

    /** {@code user} is the holder's share of this node, null when read-only. */
    ChatConnection(WebSocketImpl socket, String channel, ChatTokens.Holder holder, UserLimits.User user, int maxQueuedFrames,
                   Executor closer, ChatMeters meters, FloodGuard flood) {
        this.socket = socket;
        this.channel = channel;
        this.holder = holder;
        this.maxQueuedFrames = maxQueuedFrames;
        this.closer = closer;
        this.meters = meters;
        this.flood = flood;
        this.user = user;
    }

    String channel() {
        return channel;
    }

    /** Null for a read-only connection. */
    ChatTokens.Holder holder() {
        return holder;
    }

    Room room() {
        return room;
    }

    void joined(Room room) {
        this.room = room;
    }

    FloodGuard flood() {
        return flood;
    }

    /** The holder's share of this node, with the messages all their connections here may send; null when read-only. */
    UserLimits.User user() {
        return user;
    }

    LastPost lastPost() {
        return lastPost;
    }

    void posted(LastPost post) {
        this.lastPost = post;
    }

    @Override
    public ChatTokens.Role role() {
        return holder == null ? ChatTokens.Role.VIEWER : holder.role();
    }

    @Override
    public String userId() {
        return holder == null ? null : holder.userId();
    }

    /** Also bounded: a client that sends without reading piles up error frames, room or no room. */
    @Override
    public void send(String frame) {
        if (socket.outQueue.size() >= maxQueuedFrames) {
            dropTooSlow();
            return;
        }
        try {
            socket.send(frame);
        } catch (WebsocketNotConnectedException gone) {
            // closing; its onClose takes it out of the room
        }
    }

    void error(String code, String message) {
        meters.refused(code);
        send(ServerFrames.error(code, message));
    }

    @Override
    public boolean offer(ByteBuffer wireFrame) {
        if (!socket.isOpen()) {
            return true;
        }
        if (socket.outQueue.size() >= maxQueuedFrames) {
            return false;
        }
        if (!((ClientChannel) socket.getChannel()).writeIfIdle(wireFrame)) {
            socket.outQueue.add(wireFrame);
            socket.getWebSocketListener().onWriteDemand(socket);
        }
        return true;
    }

    /** Closes the TCP connection at once: a client this far behind would not read a close frame either. */
    @Override
    public void dropTooSlow() {
        if (dropped.compareAndSet(false, true)) {
            meters.dropped("too_slow");
            log.info("chat {}: dropped a client too slow to keep up ({} frames waiting for it)", channel,
                    socket.outQueue.size());
            closer.execute(() -> socket.closeConnection(CloseFrame.POLICY_VALIDATION, "too slow"));
        }
    }

    /** Closes with 1008 for flooding, after the close frame. */
    void dropFlooding() {
        if (dropped.compareAndSet(false, true)) {
            meters.dropped("flood");
            log.info("chat {}: closed a connection that kept flooding ({} frames/s allowed)", channel,
                    FloodGuard.FRAMES_PER_SECOND);
            socket.close(CloseFrame.POLICY_VALIDATION, "flooding");
        }
    }
}
