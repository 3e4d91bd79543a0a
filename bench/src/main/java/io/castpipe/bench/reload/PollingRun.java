package io.castpipe.bench.reload;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.castpipe.bench.ServerProcess;

/**
 * Players without LL-HLS: every client reloads the plain playlist every part target, each at
 * its own phase, while one part is announced every part target. Each latency is from just
 * before a part's announcement is published to the arrival of the first answer that lists it.
 */
final class PollingRun implements PlaylistClients.Handler {
    record Result(Latencies.Summary seen, double requestsPerSecond, double originCpuMicrosPerAnswer, int skippedPolls,
                  Errors errors) {
    }

    private static final long INTERVAL = (long) (AnnouncedStream.PART_TARGET * 1e9);
    static final int WARM_UP = 6;

    private final AnnouncedStream live;
    private final int firstPart;
    private final int rounds;
    private final int[] nextUnseen;
    private final AtomicLongArray announcedAt;
    private final Latencies latencies;
    private final Errors errors = new Errors();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicLong responses = new AtomicLong();
    private volatile long stopAt = Long.MAX_VALUE;

    /** @param firstPart the first measured part; the {@link #WARM_UP} parts before it are announced first */
    PollingRun(AnnouncedStream live, int firstPart, int rounds, int clients) {
        this.live = live;
        this.firstPart = firstPart;
        this.rounds = rounds;
        this.nextUnseen = new int[clients];
        this.announcedAt = new AtomicLongArray(rounds);
        this.latencies = new Latencies(rounds, clients);
    }

    /**
     * Parts are announced throughout, as a live stream announces them: {@link #WARM_UP} before the
     * measured ones while the clients start polling, and {@link #WARM_UP} after them so that every
     * client polls at least twice more.
     */
    Result run(PlaylistClients clients, ServerProcess origin) throws Exception {
        int part = firstPart - WARM_UP;
        long next = System.nanoTime();
        for (PlaylistClients.Client c : clients.clients) {
            schedulePoll(c, next + ThreadLocalRandom.current().nextLong(INTERVAL));
        }
        for (int i = 0; i < WARM_UP; i++) {
            next = announceAndWait(part++, next, -1);
        }
        long cpuBefore = origin.cpuNanos();
        long firstAnnouncement = System.nanoTime();
        long answeredBefore = responses.get();
        for (int r = 0; r < rounds; r++) {
            next = announceAndWait(part++, next, r);
        }
        double seconds = (System.nanoTime() - firstAnnouncement) / 1e9;
        long answeredDuring = responses.get() - answeredBefore;
        double cpuPerAnswer = (origin.cpuNanos() - cpuBefore) / 1e3 / Math.max(1, answeredDuring);
        for (int i = 0; i < WARM_UP; i++) {
            next = announceAndWait(part++, next, -1);
        }
        stopAt = System.nanoTime();
        Thread.sleep(500);
        return new Result(latencies.summary(), answeredDuring / seconds, cpuPerAnswer, skipped.get(), errors);
    }

    /** Announces {@code part} at {@code due} (noting when, for measured round {@code r} unless it is -1); returns when the next is due. */
    private long announceAndWait(int part, long due, int r) throws Exception {
        TimeUnit.NANOSECONDS.sleep(Math.max(due - System.nanoTime(), 0));
        if (r >= 0) {
            announcedAt.set(r, System.nanoTime());
        }
        live.announcePart(part);
        return due + INTERVAL;
    }

    private void schedulePoll(PlaylistClients.Client c, long due) {
        c.at(due, () -> {
            if (due >= stopAt) {
                return;
            }
            if (c.inFlight()) {
                skipped.incrementAndGet();
            } else {
                c.get(live.playlistPath());
            }
            schedulePoll(c, due + INTERVAL);
        });
    }

    @Override
    public void response(PlaylistClients.Client client, int status, byte[] body, long arrivedNanos) {
        responses.incrementAndGet();
        if (status != 200) {
            errors.add("status " + status);
            return;
        }
        int listed = AnnouncedStream.lastPartListed(body) - firstPart;
        while (nextUnseen[client.id] < rounds && nextUnseen[client.id] <= listed) {
            int r = nextUnseen[client.id]++;
            long t0 = announcedAt.get(r);
            if (t0 == 0) {
                errors.add("part " + (firstPart + r) + " listed before it was announced");
            } else {
                latencies.record(r, client.id, arrivedNanos - t0);
            }
        }
    }

    @Override
    public void failed(PlaylistClients.Client client, String why) {
        errors.add(why);
    }
}
