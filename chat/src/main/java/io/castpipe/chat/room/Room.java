package io.castpipe.chat.room;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.chat.protocol.ChatMessage;
import io.castpipe.chat.protocol.Refusal;
import io.castpipe.chat.protocol.ServerFrames;
import io.castpipe.common.auth.ChatTokens.Role;
import io.castpipe.common.events.ChatEvent;

/**
 * One channel's chat on this node: its history and moderation, built from the channel's
 * {@code chat} records, and the clients connected here. A record changes the room and, when it is
 * new, becomes one frame encoded once; the frames of a room go out together at each
 * {@link #flush()}, one write per client for all of them, so that a busy room costs each client a
 * write per tick rather than per message. Joining, applying a record and flushing hold the same
 * lock, and a join flushes first, so a joiner gets each message either in its history or as a
 * frame after it, never both and never neither.
 */
public final class Room {
    static final int DIRECT_FROM_MEMBERS = 64;
    /** A crowd at least this big is written by two threads, half of the clients each. */
    static final int SPLIT_FROM_MEMBERS = 1_000;
    private final String channel;
    private final ChatMeters meters;
    private final History history = new History();
    private final MessageAuthors authors = new MessageAuthors();
    private final Moderation moderation = new Moderation();
    private final Set<Member> members = new LinkedHashSet<>();
    /** Frames encoded for the wire and not yet sent, oldest first. */
    private final List<ByteBuffer> unsent = new ArrayList<>();
    private int unsentBytes;
    private long lastActivityNanos = System.nanoTime();
    private int announcedViewers = -1;

    Room(String channel, ChatMeters meters) {
        this.channel = channel;
        this.meters = meters;
    }

    public String channel() {
        return channel;
    }

    /** Adds the client and sends it the history, then slow mode and viewers when known; true for the room's first client. */
    synchronized boolean join(Member m) {
        flush(Runnable::run);
        members.add(m);
        m.send(ServerFrames.history(history.snapshot()));
        if (moderation.slowModeSeconds() > 0) {
            m.send(ServerFrames.slowMode(moderation.slowModeSeconds()));
        }
        if (announcedViewers >= 0) {
            m.send(ServerFrames.viewers(announcedViewers));
        }
        return members.size() == 1;
    }

    /** True when this was the room's last client. */
    synchronized boolean leave(Member m) {
        return members.remove(m) && members.isEmpty();
    }

    synchronized boolean hasMembers() {
        return !members.isEmpty();
    }

    /** No client and nothing worth keeping. */
    synchronized boolean isIdle() {
        return members.isEmpty() && history.isEmpty() && !moderation.holdsState();
    }

    synchronized long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** @see Moderation#checkPost */
    public synchronized void checkPost(String userId, Role role, String text, Instant now, LastPost mine) throws Refusal {
        moderation.checkPost(userId, role, text, now, mine);
    }

    /**
     * The owner deletes any message. A moderator deletes one of the room's last
     * {@link MessageAuthors#SIZE} messages, never the owner's: of an older one the room no longer
     * knows the author, so it is the owner's to delete.
     */
    public synchronized void checkDelete(String messageId, Role role, String ownerId) throws Refusal {
        if (role == Role.OWNER) {
            return;
        }
        String author = authors.authorOf(messageId);
        if (author == null) {
            throw new Refusal("forbidden", "that message is not among the chat's last " + MessageAuthors.SIZE
                    + "; only the channel's owner may delete it");
        }
        if (author.equals(ownerId)) {
            throw new Refusal("forbidden", "moderators may not delete the channel owner's messages");
        }
    }

    /**
     * Applies one of the channel's records; when {@code live} (read as it happened, not replayed
     * at start) the clients here are told.
     *
     * @throws IllegalArgumentException for a record that lacks what its type needs
     */
    synchronized void apply(ChatEvent e, boolean live) {
        requireFields(e);
        lastActivityNanos = System.nanoTime();
        ChatMessage message = null;
        if (e.type() == ChatEvent.Type.MESSAGE) {
            message = new ChatMessage(e.id(), e.userName(), e.userId(), e.text(), e.at());
            if (!history.add(message)) {
                return;
            }
            authors.add(e.id(), e.userId());
        }
        moderation.apply(e);
        String frame = switch (e.type()) {
            case MESSAGE -> ServerFrames.message(message);
            case DELETE -> {
                history.remove(e.id());
                yield ServerFrames.deleted(e.id());
            }
            case TIMEOUT -> ServerFrames.timeout(e.userId(), e.seconds());
            case BAN, UNBAN -> ServerFrames.ban(e.userId(), e.type() == ChatEvent.Type.BAN);
            case SLOWMODE -> ServerFrames.slowMode(e.seconds());
            // The list is the owner's business; viewers only meet it when a post is refused.
            case BLOCKED_WORDS -> null;
        };
        if (live && frame != null) {
            int delivered = fanOut(frame);
            if (e.type() == ChatEvent.Type.MESSAGE) {
                meters.messagesOut(delivered);
            }
        }
    }

    /** Tells the clients the stream's viewer count when it changed since the last time. */
    public synchronized void announceViewers(int count) {
        if (count != announcedViewers) {
            announcedViewers = count;
            fanOut(ServerFrames.viewers(count));
        }
    }

    /** Encodes the frame once for the next {@link #flush()}; returns the clients it will go to. */
    private int fanOut(String frame) {
        if (members.isEmpty()) {
            return 0;
        }
        ByteBuffer wire = ServerFrames.wire(frame);
        unsent.add(wire);
        unsentBytes += wire.remaining();
        return members.size();
    }

    /**
     * Sends the frames encoded since the last flush to every client, as one buffer, without waiting
     * for any; a client too far behind is dropped. A crowd's second half is written on {@code helper}
     * meanwhile, and both halves are written before this returns, so the next flush comes after.
     */
    public synchronized void flush(Executor helper) {
        if (unsent.isEmpty()) {
            return;
        }
        // For a crowd, direct, so that each write goes from here to the kernel without the JDK first
        // copying it into a direct buffer of its own; for a few clients those copies cost less than
        // native memory taken and given back by the garbage collector at every tick of every room.
        ByteBuffer all = members.size() >= DIRECT_FROM_MEMBERS ? ByteBuffer.allocateDirect(unsentBytes)
                : ByteBuffer.allocate(unsentBytes);
        for (ByteBuffer frame : unsent) {
            all.put(frame);
        }
        ByteBuffer batch = all.flip().asReadOnlyBuffer();
        unsent.clear();
        unsentBytes = 0;
        Member[] to = members.toArray(Member[]::new);
        if (to.length < SPLIT_FROM_MEMBERS) {
            send(batch, to, 0, to.length);
            return;
        }
        int half = to.length / 2;
        CompletableFuture<Void> secondHalf;
        try {
            secondHalf = CompletableFuture.runAsync(() -> send(batch, to, half, to.length), helper);
        } catch (RejectedExecutionException stopping) {
            secondHalf = CompletableFuture.completedFuture(null);
            send(batch, to, half, to.length);
        }
        send(batch, to, 0, half);
        secondHalf.join();
    }

    private static void send(ByteBuffer batch, Member[] to, int from, int until) {
        for (int i = from; i < until; i++) {
            if (!to[i].offer(batch.duplicate())) {
                to[i].dropTooSlow();
            }
        }
    }

    private static void requireFields(ChatEvent e) {
        boolean complete = switch (e.type()) {
            case MESSAGE -> e.id() != null && e.userId() != null && e.userName() != null && e.text() != null && e.at() != null;
            case DELETE -> e.id() != null;
            case TIMEOUT -> e.userId() != null && e.seconds() != null && e.seconds() >= 0 && e.at() != null;
            case BAN, UNBAN -> e.userId() != null;
            case SLOWMODE -> e.seconds() != null && e.seconds() >= 0;
            case BLOCKED_WORDS -> e.words() != null;
        };
        if (!complete) {
            throw new IllegalArgumentException("a " + e.type() + " record without the fields its type needs");
        }
    }
}
