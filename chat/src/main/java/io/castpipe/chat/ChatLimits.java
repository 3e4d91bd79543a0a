package io.castpipe.chat;

import java.time.Duration;

/**
 * The limits a chat node keeps that tests need to change; the rest are constants beside the code
 * that keeps them (see the module README).
 *
 * @param postBurst        messages one user may send at once, through all their connections to the node
 * @param postRefill       then one more per this
 * @param maxQueuedFrames  writes (each the frames of one fan-out tick, or one frame of its own) a client may leave
 *                         unread before it is dropped as too slow
 * @param viewersInterval  how often rooms are told their viewer count when it changed
 * @param fanOutInterval   how often rooms send what they encoded since the last time, together
 */
public record ChatLimits(int postBurst, Duration postRefill, int maxQueuedFrames, Duration viewersInterval,
                         Duration fanOutInterval) {
    /** 5 messages at once, then one a second (5 per 5 s); 1,000 writes behind; viewers every 5 s; fan-out every 50 ms. */
    public static final ChatLimits DEFAULTS = new ChatLimits(5, Duration.ofSeconds(1), 1000, Duration.ofSeconds(5),
            Duration.ofMillis(50));
}
