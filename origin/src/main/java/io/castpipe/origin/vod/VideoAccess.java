package io.castpipe.origin.vod;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.origin.cache.Lookup;
import io.castpipe.origin.cache.ObjectCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A video's visibility, from {@code vod/{id}/access.json} (written by the API), read through the
 * {@link ObjectCache} (so concurrent first requests cost one read) and remembered for
 * {@code ttl}. No file means public. A file that cannot be understood means private: when in
 * doubt, the origin refuses rather than leaks.
 */
public final class VideoAccess {
    private static final Logger log = LoggerFactory.getLogger(VideoAccess.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Past this many remembered videos the memory is simply dropped and refilled. */
    private static final int MAX_REMEMBERED = 100_000;

    private final ObjectCache cache;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Decision> decisions = new ConcurrentHashMap<>();

    public VideoAccess(ObjectCache cache, Duration ttl) {
        this(cache, ttl, System::nanoTime);
    }

    VideoAccess(ObjectCache cache, Duration ttl, LongSupplier nanoClock) {
        this.cache = cache;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    /** The visibility of video {@code id}; fails when storage cannot tell. */
    public CompletableFuture<Visibility> visibility(String id) {
        Decision d = decisions.get(id);
        if (d != null && d.expiresAt - nanoClock.getAsLong() > 0) {
            return d.done;
        }
        return cache.get(ObjectKeys.vodAccess(id)).thenApply(lookup -> {
            Visibility v = decide(id, lookup);
            if (decisions.size() >= MAX_REMEMBERED) {
                decisions.clear();
            }
            decisions.put(id, new Decision(v, nanoClock.getAsLong() + ttlNanos));
            return v;
        });
    }

    private static Visibility decide(String id, Lookup lookup) {
        if (lookup instanceof Lookup.Missing) {
            return Visibility.PUBLIC;
        }
        if (lookup instanceof Lookup.Found found) {
            try {
                JsonNode json = MAPPER.readTree(found.object().bytes());
                JsonNode value = json == null ? null : json.get("visibility");
                if (value != null && value.isTextual()) {
                    var v = Visibility.parse(value.asText());
                    if (v.isPresent()) {
                        return v.get();
                    }
                }
            } catch (java.io.IOException e) {
                // fall through: not JSON
            }
        }
        log.warn("video {}: access.json is not {\"visibility\":\"public|unlisted|private\"}; treating the video as private", id);
        return Visibility.PRIVATE;
    }

    private static final class Decision {
        final CompletableFuture<Visibility> done;
        final long expiresAt;

        Decision(Visibility visibility, long expiresAt) {
            this.done = CompletableFuture.completedFuture(visibility);
            this.expiresAt = expiresAt;
        }
    }
}
