package io.castpipe.origin.live;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The delta update (RFC 8216bis §6.2.5.1) of each live media playlist as announced on
 * {@code hls.updates}, kept beside the version of the playlist it was made from. A request with
 * {@code _HLS_skip=YES} gets the delta only when the playlist it would be served is that very
 * version; any other (one read back from storage, a newer one not announced with a delta) is
 * served whole, which a client asking for a delta must accept too.
 */
public final class PlaylistDeltas {
    /** Playlists whose delta is held; past this, playlists not held yet are served whole. */
    static final int MAX_PLAYLISTS = 10_000;

    private record Version(byte[] playlist, byte[] delta) {
    }

    private final Map<String, Version> latest = new ConcurrentHashMap<>();
    private final Counter deltasServed;
    private final Counter wholeServed;

    public PlaylistDeltas(MeterRegistry registry) {
        this.deltasServed = Counter.builder("castpipe.origin.live.skip.requests").tag("served", "delta")
                .description("Live playlist requests with _HLS_skip answered with a delta update").register(registry);
        this.wholeServed = Counter.builder("castpipe.origin.live.skip.requests").tag("served", "whole")
                .description("Live playlist requests with _HLS_skip answered with the whole playlist").register(registry);
    }

    /** A new version of the playlist under {@code key} was announced, with its delta or without (null). */
    void published(String key, byte[] playlist, byte[] delta) {
        if (playlist == null || delta == null) {
            latest.remove(key);
        } else if (latest.size() < MAX_PLAYLISTS || latest.containsKey(key)) {
            latest.put(key, new Version(playlist, delta));
        }
    }

    /** The delta of {@code playlist}, the version about to be served under {@code key}; the playlist itself when none is held. */
    byte[] deltaOf(String key, byte[] playlist) {
        Version v = latest.get(key);
        if (v != null && Arrays.equals(v.playlist(), playlist)) {
            deltasServed.increment();
            return v.delta();
        }
        wholeServed.increment();
        return playlist;
    }
}
