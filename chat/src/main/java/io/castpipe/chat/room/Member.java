package io.castpipe.chat.room;

import java.nio.ByteBuffer;

import io.castpipe.common.auth.ChatTokens;

/** A client in a room, as the room sees it. */
public interface Member {

    /** The holder's role from their token; VIEWER for the read-only. */
    ChatTokens.Role role();

    /** The holder's user id, or null for the read-only. */
    String userId();

    /** Sends a frame to this client alone. */
    void send(String frame);

    /**
     * Sends, or queues, frames already encoded for the wire (a duplicate of the room's one copy)
     * without blocking; false when this client is too far behind to take them, and the room drops it.
     */
    boolean offer(ByteBuffer wireFrame);

    /** Cuts the client off for being too slow; must not call back into the room on this thread. */
    void dropTooSlow();
}
