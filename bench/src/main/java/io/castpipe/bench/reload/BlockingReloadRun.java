package io.castpipe.bench.reload;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.castpipe.bench.ServerProcess;

/**
 * LL-HLS players: every client asks for the next part with a blocking reload and, once
 * answered, at once for the one after (as hls.js does); one part announced every part target.
 * Each latency is from just before the part is announced to the arrival of the whole answer.
 */
final class BlockingReloadRun implements PlaylistClients.Handler {
    record Result(Latencies.Summary wake, double medianAckMs, double requestsPerSecond, double wakeBurstPerSecond,
                  int answeredBeforeAnnounced, double originCpuMicrosPerAnswer,
                  ServerProcess.Stats parked, Errors errors) {
    }

    private final PartAnnouncer announcer;
    private final String playlistPath;
    private final int firstPart;
    private final int rounds;
    private final int[] waitingFor;
    private final AtomicLongArray announcedAt;
    private final CountDownLatch[] answered;
    private final Latencies latencies;
    private final Errors errors = new Errors();
    private final AtomicInteger early = new AtomicInteger();
    private final AtomicLong responses = new AtomicLong();

    BlockingReloadRun(PartAnnouncer announcer, String playlistPath, int firstPart, int rounds, int clients) {
        this.announcer = announcer;
        this.playlistPath = playlistPath;
        this.firstPart = firstPart;
        this.rounds = rounds;
        this.waitingFor = new int[clients];
        this.announcedAt = new AtomicLongArray(rounds);
        this.answered = new CountDownLatch[rounds];
        for (int r = 0; r < rounds; r++) {
            answered[r] = new CountDownLatch(clients);
        }
        this.latencies = new Latencies(rounds, clients);
    }

    Result run(PlaylistClients clients, ServerProcess origin) throws Exception {
        for (PlaylistClients.Client c : clients.clients) {
            waitingFor[c.id] = 0;
            c.get(AnnouncedStream.blockingReloadPath(playlistPath, firstPart));
        }
        // Parked: none of them may be answered before the announcement (counted as early otherwise).
        Thread.sleep(1_000);
        ServerProcess.Stats parked = origin.stats();
        Thread.sleep(200);
        long cpuBefore = origin.cpuNanos();
        long answersBefore = responses.get();
        long started = System.nanoTime();
        double[] bursts = new double[rounds];
        double[] acks = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            announcedAt.set(r, t0);
            announcer.announcePart(firstPart + r);
            acks[r] = (System.nanoTime() - t0) / 1e6;
            if (!answered[r].await(10, TimeUnit.SECONDS)) {
                errors.add(answered[r].getCount() + " requests for part " + (firstPart + r) + " unanswered after 10 s");
            }
            bursts[r] = clients.clients.size() / ((System.nanoTime() - t0) / 1e9);
            long next = t0 + (long) (AnnouncedStream.PART_TARGET * 1e9);
            long now = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(Math.max(next - now, 50_000_000));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuPerAnswer = (origin.cpuNanos() - cpuBefore) / 1e3 / Math.max(1, responses.get() - answersBefore);
        Arrays.sort(bursts);
        Arrays.sort(acks);
        return new Result(latencies.summary(), acks[rounds / 2], responses.get() / seconds, bursts[rounds / 2], early.get(),
                cpuPerAnswer, parked, errors);
    }

    @Override
    public void response(PlaylistClients.Client client, int status, byte[] body, long arrivedNanos) {
        int r = waitingFor[client.id];
        long t0 = announcedAt.get(r);
        responses.incrementAndGet();
        if (status != 200) {
            errors.add("status " + status + " for part " + (firstPart + r));
        } else if (t0 == 0) {
            early.incrementAndGet();
        } else if (AnnouncedStream.lastPartListed(body) < firstPart + r) {
            errors.add("an answer without part " + (firstPart + r));
        } else {
            latencies.record(r, client.id, arrivedNanos - t0);
        }
        answered[r].countDown();
        if (r + 1 < rounds) {
            waitingFor[client.id] = r + 1;
            client.get(AnnouncedStream.blockingReloadPath(playlistPath, firstPart + r + 1));
        }
    }

    @Override
    public void failed(PlaylistClients.Client client, String why) {
        errors.add(why);
        for (int r = waitingFor[client.id]; r < rounds; r++) {
            answered[r].countDown();
        }
    }
}
