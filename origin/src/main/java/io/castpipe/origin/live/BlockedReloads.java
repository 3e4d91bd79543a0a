package io.castpipe.origin.live;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
        final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

        Playlist(PlaylistHead head) {
            this.head = head;
        }
    }

    private record Waiter(long msn, int part, CompletableFuture<Void> ready) {
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
        Waiter w = new Waiter(msn, part, ready);
        ready.orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            p.waiters.remove(w);
            waiting.decrementAndGet();
        });
        p.waiters.add(w);
        release(p); // the playlist may have moved on between the check above and the add
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
        for (Waiter w : p.waiters) {
            if (head.ended() || head.has(w.msn(), w.part())) {
                w.ready().complete(null);
            }
        }
    }

    int waiting() {
        return waiting.get();
    }
}
