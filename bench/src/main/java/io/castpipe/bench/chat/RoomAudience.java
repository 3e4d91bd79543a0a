package io.castpipe.bench.chat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The readers of one measured run: counts, for every message the posters send ({@code m <seq>
 * <sent-nanos>}), how many readers got it and how long after it was sent; and what went wrong.
 */
final class RoomAudience implements WebSocketClients.Handler {
    private static final byte[] MESSAGE_TYPE = "\"type\":\"message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = "\"text\":\"m ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR_TYPE = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);

    private final int firstMeasured;
    private final AtomicIntegerArray deliveries;
    private final LatencyHistogram latencies = new LatencyHistogram();
    private final LongAccumulator lastArrival = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final CountDownLatch opened;
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger errorFrames = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    /** @param firstMeasured messages before this one are warm-up: counted for loss, not for latency */
    RoomAudience(int readers, int messages, int firstMeasured) {
        this.opened = new CountDownLatch(readers);
        this.deliveries = new AtomicIntegerArray(messages);
        this.firstMeasured = firstMeasured;
    }

    CountDownLatch opened() {
        return opened;
    }

    @Override
    public void opened(WebSocketClients.Client client) {
        opened.countDown();
    }

    @Override
    public void text(WebSocketClients.Client client, byte[] a, int offset, int length, long arrivedNanos) {
        if (indexOf(a, offset, Math.min(length, 40), MESSAGE_TYPE) < 0) {
            if (indexOf(a, offset, Math.min(length, 40), ERROR_TYPE) >= 0) {
                errorFrames.incrementAndGet();
                note(new String(a, offset, length, StandardCharsets.UTF_8));
            }
            return;
        }
        int t = indexOf(a, offset, length, TEXT);
        if (t < 0) {
            return;
        }
        int end = offset + length;
        int p = t + TEXT.length;
        long seq = 0;
        while (p < end && a[p] != ' ') {
            seq = seq * 10 + (a[p++] - '0');
        }
        p++;
        long sent = 0;
        while (p < end && a[p] != '"') {
            sent = sent * 10 + (a[p++] - '0');
        }
        if (p < end && seq >= 0 && seq < deliveries.length()) {
            deliveries.incrementAndGet((int) seq);
            if (seq >= firstMeasured) {
                latencies.record(arrivedNanos - sent);
                lastArrival.accumulate(arrivedNanos);
            }
        }
    }

    @Override
    public void closed(WebSocketClients.Client client, String why) {
        dropped.incrementAndGet();
        note("reader " + client.id + ": " + why);
    }

    /** Deliveries of the messages sent so far that are still missing, given {@code readers} readers each. */
    long missing(int sent, int readers) {
        long missing = 0;
        for (int i = 0; i < sent; i++) {
            missing += Math.max(0, readers - deliveries.get(i));
        }
        return missing;
    }

    long duplicates(int readers) {
        long extra = 0;
        for (int i = 0; i < deliveries.length(); i++) {
            extra += Math.max(0, deliveries.get(i) - readers);
        }
        return extra;
    }

    /** When the last measured message reached its last reader ({@link System#nanoTime()}). */
    long lastArrivalNanos() {
        return lastArrival.get();
    }

    LatencyHistogram latencies() {
        return latencies;
    }

    int dropped() {
        return dropped.get();
    }

    int errorFrames() {
        return errorFrames.get();
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    private void note(String problem) {
        if (problems.size() < 5) {
            problems.add(problem);
        }
    }

    /** Where {@code what} first occurs in {@code a[offset, offset + length)}; -1 if nowhere. */
    static int indexOf(byte[] a, int offset, int length, byte[] what) {
        outer:
        for (int i = offset; i <= offset + length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (a[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
