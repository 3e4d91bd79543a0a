package io.castpipe.chat.socket;

import java.time.Instant;

import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.chat.protocol.ClientFrame;
import io.castpipe.chat.protocol.ClientFrames;
import io.castpipe.chat.protocol.Refusal;
import io.castpipe.chat.room.LastPost;
import io.castpipe.chat.room.Room;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client's frame does: checked here, on the node that received it, against the sender's
 * token and limits and the room's rules, then published on {@code chat}. Nothing is shown to
 * anyone until the record comes back from Kafka. Every refusal is an {@code error} frame.
 */
final class FrameHandler {
    private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

    private final EventPublisher publisher;
    private final String node;
    private final ChatMeters meters;

    FrameHandler(EventPublisher publisher, String node, ChatMeters meters) {
        this.publisher = publisher;
        this.node = node;
        this.meters = meters;
    }

    void onText(ChatConnection c, String text) {
        if (!withinFloodLimit(c)) {
            return;
        }
        try {
            handle(c, ClientFrames.parse(text));
        } catch (Refusal r) {
            c.error(r.code(), r.getMessage());
        }
    }

    void onBinary(ChatConnection c) {
        if (withinFloodLimit(c)) {
            c.error("binary_unsupported", "chat frames are JSON text; binary frames are not read");
        }
    }

    private boolean withinFloodLimit(ChatConnection c) {
        return switch (c.flood().onFrame(System.nanoTime())) {
            case PASS -> true;
            case WARN -> {
                c.error("flood", "too many frames; slow down or be disconnected");
                yield false;
            }
            case IGNORE -> false;
            case CLOSE -> {
                c.dropFlooding();
                yield false;
            }
        };
    }

    private void handle(ChatConnection c, ClientFrame frame) throws Refusal {
        ChatTokens.Holder holder = c.holder();
        if (holder == null) {
            throw new Refusal("read_only", "this connection is read-only: connect with a chat token to take part");
        }
        if (Instant.now().isAfter(holder.expiresAt())) {
            throw new Refusal("invalid_token", "your chat token has expired: reconnect with a new one");
        }
        Room room = c.room();
        if (frame instanceof ClientFrame.Post post) {
            post(c, holder, room, post.text());
            return;
        }
        if (!holder.role().moderates()) {
            throw new Refusal("forbidden", "only the channel's owner and moderators may do that");
        }
        String channel = c.channel();
        ChatEvent event;
        if (frame instanceof ClientFrame.Delete delete) {
            room.checkDelete(delete.id(), holder.role(), holder.ownerId());
            event = ChatEvent.delete(channel, delete.id(), holder.userId(), node);
        } else if (frame instanceof ClientFrame.Timeout timeout) {
            checkTarget(timeout.user(), holder);
            event = ChatEvent.timeout(channel, timeout.user(), timeout.seconds(), holder.userId(), node);
        } else if (frame instanceof ClientFrame.Ban ban) {
            checkTarget(ban.user(), holder);
            event = ChatEvent.ban(channel, ban.user(), ban.banned(), holder.userId(), node);
        } else {
            int seconds = ((ClientFrame.SlowMode) frame).seconds();
            event = ChatEvent.slowMode(channel, seconds, holder.userId(), node);
        }
        log.info("chat {}: {} {} by {}", channel, event.type(), describe(event), holder.userId());
        publish(c, event);
    }

    private void post(ChatConnection c, ChatTokens.Holder holder, Room room, String text) throws Refusal {
        Instant now = Instant.now();
        room.checkPost(holder.userId(), holder.role(), text, now, c.lastPost());
        long nanos = System.nanoTime();
        if (!c.user().tryPost(nanos)) {
            throw new Refusal("rate_limited", "you are sending messages too fast; wait "
                    + Math.max(1, c.user().untilNextPost(nanos).toSeconds()) + " s");
        }
        c.posted(new LastPost(now, text));
        meters.messageIn();
        publish(c, ChatEvent.message(c.channel(), Ids.newId(), holder.userId(), holder.userName(), text, node));
    }

    /** A moderation record goes to the room's lasting settings first, then (as every record) to the room. */
    private void publish(ChatConnection c, ChatEvent event) {
        byte[] bytes = EventCodec.encode(event);
        if (event.stateKey() != null) {
            publisher.publishBytes(Topic.CHAT_STATE, event.stateKey(), bytes, (metadata, failure) -> {
                if (failure != null) {
                    log.warn("chat {}: a {} setting was not kept: {}", c.channel(), event.type(), failure.toString());
                }
            });
        }
        publisher.publishBytes(Topic.CHAT, c.channel(), bytes, (metadata, failure) -> {
            if (failure != null) {
                log.warn("chat {}: a {} record was not published: {}", c.channel(), event.type(), failure.toString());
                c.error("unavailable", "the chat could not take that just now; try again");
            }
        });
    }

    /** Nobody moderates the channel's owner, whom every token names. */
    private static void checkTarget(String userId, ChatTokens.Holder holder) throws Refusal {
        if (userId.equals(holder.ownerId())) {
            throw new Refusal("forbidden", "nobody may moderate the channel's owner");
        }
    }

    private static String describe(ChatEvent e) {
        return switch (e.type()) {
            case DELETE -> "of message " + e.id();
            case TIMEOUT -> "of " + e.userId() + " for " + e.seconds() + " s";
            case SLOWMODE -> e.seconds() + " s";
            default -> "of " + e.userId();
        };
    }
}
