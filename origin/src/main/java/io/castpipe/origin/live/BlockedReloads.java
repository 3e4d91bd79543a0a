package io.castpipe.origin.live;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blocking playlist reload (RFC 8216bis §6.2.5.2) without a thread per waiting request: a
 * request for {@code _HLS_msn=N} (and {@code _HLS_part=P}) of a live media playlist that does
 * not list that segment (or part) yet is parked here and released when {@code hls.updates}
 * announces a playlist that does (or that has ended). A request for a part that is not there
 * yet, such as the one a preload hint names, waits the same way: a part is announced before
 * the playlist that lists it, so once the playlist has it, so has this node's memory. What this
 * node knows of each playlist comes from those announcements only; a playlist it has not heard
 * of since it started is served as it is, without blocking.
 *
 * <p>Waiting requests are grouped by the segment or part they wait for, in playlist order, so
 * a new playlist touches only the groups it satisfies and a request joins or leaves its group
 * in constant time: with thousands of players asking for the same next part, neither parking
 * one nor waking them all costs a pass over the others.
 */
public final class BlockedReloads {
    /** Waiting requests on this node, over all playlists; more are refused with 503. */
    static final int MAX_WAITING = 50_000;

    private final Map<String, Playlist> playlists = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** How a request for {@code _HLS_msn=msn} is to be answered. */
    public sealed interface Outcome {
        /** The current playlist already satisfies it (or this node cannot tell): serve it now. */
        record Now() implements Outcome {
        }

        /** It asks for a segment or part too far ahead to be produced soon: 400 (404 for a part itself). */
        record TooFarAhead(long lastSequence) implements Outcome {
        }

        /** Wait for {@code ready}: completes once the playlist lists the segment, or fails with a timeout. */
        record Wait(CompletableFuture<Void> ready, Duration limit) implements Outcome {
        }

        /** Too many requests wait on this node already: 503. */
        record Overloaded() implements Outcome {
        }
    }

    private static final class Playlist {
        volatile PlaylistHead head;
        final ConcurrentSkipListMap<Position, Set<Waiter>> waiters = new ConcurrentSkipListMap<>();

        Playlist(PlaylistHead head) {
            this.head = head;
        }
    }

    /** What a request waits for: part {@code part} of segment {@code msn}, or with part -1 the whole segment (after its parts). */
    private record Position(long msn, int part) implements Comparable<Position> {
        /** The first position a playlist with {@code head} does not have. */
        static Position after(PlaylistHead head) {
            return new Position(head.lastSegment() + 1, head.openParts());
        }

        @Override
        public int compareTo(Position o) {
            int bySegment = Long.compare(msn, o.msn);
            return bySegment != 0 ? bySegment : Integer.compareUnsigned(part, o.part);
        }
    }

    private record Waiter(CompletableFuture<Void> ready) {
    }

    /** A request for segment {@code msn} of the playlist under {@code key}, or with {@code part >= 0} for that part of it. */
    public Outcome request(String key, long msn, int part) {
        Playlist p = playlists.get(key);
        if (p == null) {
            return new Outcome.Now();
        }
        PlaylistHead head = p.head;
        if (head.ended() || head.has(msn, part)) {
            return new Outcome.Now();
        }
        if (head.tooFarAhead(msn, part)) {
            return new Outcome.TooFarAhead(head.lastSequence());
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            return new Outcome.Overloaded();
        }
        // §6.2.5.2: a server that cannot answer within three target durations answers 503.
        Duration limit = Duration.ofSeconds(3L * head.targetDuration());
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Waiter w = new Waiter(ready);
        Set<Waiter> group = p.waiters.computeIfAbsent(new Position(msn, part), k -> ConcurrentHashMap.newKeySet());
        ready.orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            group.remove(w);
            waiting.decrementAndGet();
        });
        group.add(w);
        // The playlist may have moved on since the check above, and its release may have taken
        // this group already: the head is replaced before a release, so this sees it.
        PlaylistHead now = p.head;
        if (now.ended() || now.has(msn, part)) {
            ready.complete(null);
        }
        return new Outcome.Wait(ready, limit);
    }

    /** A new version of the playlist under {@code key} is in this node's memory. */
    public void published(String key, byte[] playlist) {
        PlaylistHead head = PlaylistHead.parse(playlist);
        Playlist p = playlists.compute(key, (k, old) -> {
            if (old == null) {
                return new Playlist(head);
            }
            old.head = head;
            return old;
        });
        release(p);
        if (head.ended()) {
            playlists.remove(key, p);
            release(p);
        }
    }

    private static void release(Playlist p) {
        PlaylistHead head = p.head;
        Position after = Position.after(head);
        for (Map.Entry<Position, Set<Waiter>> e = p.waiters.firstEntry();
             e != null && (head.ended() || e.getKey().compareTo(after) < 0); e = p.waiters.firstEntry()) {
            p.waiters.remove(e.getKey(), e.getValue());
            for (Waiter w : e.getValue()) {
                w.ready().complete(null);
            }
        }
    }

    int waiting() {
        return waiting.get();
    }
}
