package io.castpipe.origin.access;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.origin.cache.CachedObject;
import io.castpipe.origin.cache.Lookup;
import io.castpipe.origin.cache.ObjectCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A video's access record ({@link AccessRecords}), read through the {@link ObjectCache} (so
 * concurrent first requests cost one read, and a change shows once the cache reads it again,
 * {@link #RECORD_TTL} at most). The API writes it before the video exists and makes it a tombstone
 * ({@link Visibility#DELETED}) first when the video is deleted. No record ({@link Optional#empty()})
 * means that the API has not written one yet: a broadcast's recording while the API is behind on the
 * stream's start, a video made before there were records. A record that cannot be understood means
 * private: when in doubt, the origin refuses rather than leaks.
 */
public final class VideoAccess {
    private static final Logger log = LoggerFactory.getLogger(VideoAccess.class);
    /** How long a record read is believed: a change of visibility or a deletion shows within this. */
    public static final Duration RECORD_TTL = Duration.ofSeconds(5);
    /** Past this many remembered decisions the memory is simply dropped and refilled. */
    private static final int MAX_REMEMBERED = 100_000;

    private final ObjectCache cache;
    /** The decision taken on each video's cached record, so that a record is parsed once, not per request. */
    private final ConcurrentHashMap<String, Decision> decisions = new ConcurrentHashMap<>();

    public VideoAccess(ObjectCache cache) {
        this.cache = cache;
    }

    /** Who may play video {@code id}; empty when it has no record (yet); fails when storage cannot tell. */
    public CompletableFuture<Optional<Visibility>> visibility(String id) {
        return cache.get(ObjectKeys.accessRecord(id)).thenApply(lookup -> decide(id, lookup));
    }

    private Optional<Visibility> decide(String id, Lookup lookup) {
        if (lookup instanceof Lookup.Missing) {
            return Optional.empty();
        }
        if (!(lookup instanceof Lookup.Found found)) {
            log.warn("video {}: its access record is far too large; treating the video as private", id);
            return Optional.of(Visibility.PRIVATE);
        }
        Decision d = decisions.get(id);
        if (d != null && d.record == found.object()) {
            return d.visibility;
        }
        Optional<Visibility> v = Optional.of(parse(id, found.object().bytes()));
        if (decisions.size() >= MAX_REMEMBERED) {
            decisions.clear();
        }
        decisions.put(id, new Decision(found.object(), v));
        return v;
    }

    private static Visibility parse(String id, byte[] record) {
        Optional<Visibility> v = AccessRecords.visibility(record).flatMap(Visibility::parse);
        if (v.isEmpty()) {
            log.warn("video {}: its access record is not {\"visibility\":\"public|unlisted|private|deleted\"}; treating"
                    + " the video as private", id);
        }
        return v.orElse(Visibility.PRIVATE);
    }

    private record Decision(CachedObject record, Optional<Visibility> visibility) {
    }
}
