package io.castpipe.origin.cache;

import java.time.Duration;

/**
 * How long the cache may keep what it read for a key before it reads it again. VOD segments
 * never change and stay until evicted; playlists are re-read after a short time; live
 * playlists after a shorter one still.
 */
@FunctionalInterface
public interface CachePolicy {

    /** How long an object read from storage stays fresh; {@code null} for "until evicted". */
    Duration ttl(String key);

    /** Everything stays until evicted. */
    static CachePolicy immutable() {
        return key -> null;
    }
}
