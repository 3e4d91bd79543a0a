package io.castpipe.origin.live;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each live media playlist's window starts, as {@code hls.updates} announces it: a segment
 * (or a part of one) from there on is the live stream's, public like the channel; one that has
 * left the window is only the recording's. A playlist that has ended, or that this node has not heard of, has no
 * window, so its segments are the recording's (refusing rather than leaking when in doubt).
 */
public final class LiveWindows {
    /** Live renditions a node follows at once; past this the memory is dropped and refilled by the next announcements. */
    static final int MAX_PLAYLISTS = 10_000;

    private final Map<String, Long> firstSegment = new ConcurrentHashMap<>();

    /** A new version of the playlist under {@code key}. */
    void published(String key, byte[] playlist) {
        PlaylistHead head = PlaylistHead.parse(playlist);
        if (head.ended()) {
            firstSegment.remove(key);
            return;
        }
        if (firstSegment.size() >= MAX_PLAYLISTS && !firstSegment.containsKey(key)) {
            firstSegment.clear();
        }
        firstSegment.put(key, head.firstSegment());
    }

    /** Whether segment {@code sequence} of the playlist under {@code key} is in its live window (or yet to come). */
    boolean inWindow(String key, long sequence) {
        Long first = firstSegment.get(key);
        return first != null && sequence >= first;
    }
}
