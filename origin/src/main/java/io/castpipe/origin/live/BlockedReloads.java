package io.castpipe.origin.live;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.castpipe.common.net.AddressLimits;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;

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
 * <p>Thousands of players ask for the same next part, so the wake is built for that. Waiting
 * requests are grouped by the segment or part they wait for, in playlist order: a new playlist
 * takes the groups it satisfies whole, and parking one request costs the same however many
 * wait. The released requests are handed to their {@link Waiter#executor() executors} (the
 * connections' IO threads) in a few tasks each, not one task per request. No request has a
 * timer of its own: one sweep every {@link #SWEEP_INTERVAL} answers those that waited too long.
 *
 * <p>No client may hold the node's whole capacity: each client address gets a share of it
 * ({@code CASTPIPE_ORIGIN_BLOCKED_PER_ADDRESS}), so one client parking requests it never means to
 * use cannot leave the others without.
 */
public final class BlockedReloads implements AutoCloseable {
    /** Waiting requests on this node, over all playlists; more are refused with 503. */
    public static final int MAX_WAITING = 50_000;
    /** How often waits that ran out are looked for: a 503 comes at most this much late. */
    static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);
    /** Released requests per task on an executor, so that one wake does not hold an IO thread from its other connections for long. */
    static final int BATCH = 1_000;

    private final Map<String, Playlist> playlists = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AddressLimits perAddress;
    private Supervised sweeper;

    /** A parked request. Exactly one of its two methods is called, once, on its executor. */
    public interface Waiter {
        /** Where this request is answered; the requests that share one are answered together in one task on it. */
        Executor executor();

        /** The playlist now has what was asked for, or has ended. */
        void ready();

        /** It did not within the wait's limit. */
        void expired();
    }

    /** How a request for {@code _HLS_msn=msn} is to be answered. */
    public sealed interface Outcome {
        /** The current playlist already satisfies it (or this node cannot tell): serve it now. */
        record Now() implements Outcome {
        }

        /** It asks for a segment or part too far ahead to be produced soon: 400 (404 for a part itself). */
        record TooFarAhead(long lastSequence) implements Outcome {
        }

        /** Too many requests wait on this node already: 503. */
        record Overloaded() implements Outcome {
        }

        /** The client's address has its {@code share} of waiting requests already: 429. */
        record AddressOverloaded(int share) implements Outcome {
        }

        /** It must wait, at most {@code limit}: {@link #park} it, once the request may be answered from another thread. */
        final class Wait implements Outcome {
            private final BlockedReloads owner;
            private final Playlist playlist;
            private final Position position;
            private final InetAddress client;
            private final Duration limit;

            private Wait(BlockedReloads owner, Playlist playlist, Position position, InetAddress client, Duration limit) {
                this.owner = owner;
                this.playlist = playlist;
                this.position = position;
                this.client = client;
                this.limit = limit;
            }

            public Duration limit() {
                return limit;
            }

            public void park(Waiter waiter) {
                owner.park(playlist, position, new Parked(waiter, client, System.nanoTime() + limit.toNanos()));
            }
        }
    }

    private static final class Playlist {
        volatile PlaylistHead head;
        /** Guarded by this playlist; each group in the order its requests came, which is the order their waits run out. */
        final TreeMap<Position, List<Parked>> waiting = new TreeMap<>();

        Playlist(PlaylistHead head) {
            this.head = head;
        }

        boolean satisfies(Position p) {
            PlaylistHead h = head;
            return h.ended() || h.has(p.msn, p.part);
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

    /** {@code client} null: not counted against any address (a trusted proxy speaking for many). */
    private record Parked(Waiter waiter, InetAddress client, long deadlineNanos) {
    }

    /** @param perAddress how many requests one client address may have waiting at once */
    public BlockedReloads(int perAddress) {
        this.perAddress = new AddressLimits(perAddress);
    }

    public BlockedReloads start(Supervisor supervisor) {
        sweeper = supervisor.every("origin-reload-timeouts", SWEEP_INTERVAL, Duration.ofSeconds(30),
                () -> expireDue(System.nanoTime()));
        return this;
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.close();
        }
    }

    /**
     * A request for segment {@code msn} of the playlist under {@code key}, or with {@code part >= 0}
     * for that part of it, by {@code client} (null for one not limited per address).
     */
    public Outcome request(String key, long msn, int part, InetAddress client) {
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
        if (client != null && !perAddress.tryAcquire(client)) {
            return new Outcome.AddressOverloaded(perAddress.perAddress());
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            release(client);
            return new Outcome.Overloaded();
        }
        // §6.2.5.2: a server that cannot answer within three target durations answers 503.
        return new Outcome.Wait(this, p, new Position(msn, part), client, Duration.ofSeconds(3L * head.targetDuration()));
    }

    private void park(Playlist p, Position position, Parked parked) {
        boolean already;
        synchronized (p) {
            // The playlist may have moved on since the request was looked at. A release replaces
            // the head before it takes this lock, so a head read here is at least as new as the
            // release that would otherwise miss this request.
            already = p.satisfies(position);
            if (!already) {
                p.waiting.computeIfAbsent(position, k -> new ArrayList<>()).add(parked);
            }
        }
        if (already) {
            waiting.decrementAndGet();
            answer(List.of(parked), Waiter::ready);
        }
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
        if (head.ended()) {
            playlists.remove(key, p);
        }
        List<Parked> released = new ArrayList<>();
        synchronized (p) {
            SortedMap<Position, List<Parked>> due = head.ended() ? p.waiting : p.waiting.headMap(Position.after(head));
            due.values().forEach(released::addAll);
            due.clear();
        }
        waiting.addAndGet(-released.size());
        answer(released, Waiter::ready);
    }

    /** Answers every request whose wait ran out by {@code nowNanos} (a {@link System#nanoTime()} reading). */
    void expireDue(long nowNanos) {
        for (Playlist p : playlists.values()) {
            List<Parked> expired = new ArrayList<>();
            synchronized (p) {
                for (Iterator<List<Parked>> groups = p.waiting.values().iterator(); groups.hasNext(); ) {
                    List<Parked> group = groups.next();
                    if (group.get(0).deadlineNanos() - nowNanos > 0) {
                        continue;
                    }
                    group.removeIf(w -> {
                        boolean due = w.deadlineNanos() - nowNanos <= 0;
                        if (due) {
                            expired.add(w);
                        }
                        return due;
                    });
                    if (group.isEmpty()) {
                        groups.remove();
                    }
                }
            }
            waiting.addAndGet(-expired.size());
            answer(expired, Waiter::expired);
        }
    }

    /** Hands the waiters to their executors, a batch per task; their addresses' shares are free again. */
    private void answer(List<Parked> parked, Consumer<Waiter> how) {
        Map<Executor, List<Waiter>> byExecutor = new IdentityHashMap<>();
        for (Parked w : parked) {
            release(w.client());
            List<Waiter> batch = byExecutor.computeIfAbsent(w.waiter().executor(), e -> new ArrayList<>());
            batch.add(w.waiter());
            if (batch.size() == BATCH) {
                hand(w.waiter().executor(), batch, how);
                byExecutor.remove(w.waiter().executor());
            }
        }
        byExecutor.forEach((executor, batch) -> hand(executor, batch, how));
    }

    private static void hand(Executor executor, List<Waiter> batch, Consumer<Waiter> how) {
        try {
            executor.execute(() -> batch.forEach(how));
        } catch (RejectedExecutionException stopping) {
            // The server is stopping, and these requests' connections with it.
        }
    }

    private void release(InetAddress client) {
        if (client != null) {
            perAddress.release(client);
        }
    }

    int waiting() {
        return waiting.get();
    }

    /** Requests waiting for {@code client}'s address. */
    int waiting(InetAddress client) {
        return perAddress.held(client);
    }
}
