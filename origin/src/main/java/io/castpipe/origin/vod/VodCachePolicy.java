package io.castpipe.origin.vod;

import java.time.Duration;

import io.castpipe.origin.cache.CachePolicy;

/**
 * How long the origin keeps VOD objects in memory: segments, init sections and images until
 * evicted (they never change under one name); playlists and text tracks for a few seconds, so a
 * re-upload shows through quickly.
 */
public final class VodCachePolicy implements CachePolicy {
    static final Duration TEXT_TTL = Duration.ofSeconds(10);

    @Override
    public Duration ttl(String key) {
        if (key.endsWith(".m3u8") || key.endsWith(".vtt")) {
            return TEXT_TTL;
        }
        return null;
    }
}
