package io.castpipe.bench.chat;

import java.util.concurrent.atomic.AtomicLongArray;

/** Latencies in 0.1 ms buckets up to one minute (longer ones in the last), from any thread. */
final class LatencyHistogram {
    private static final long BUCKET_NANOS = 100_000;
    private static final int BUCKETS = 600_000;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        counts.incrementAndGet((int) Math.min(BUCKETS - 1, Math.max(0, nanos) / BUCKET_NANOS));
    }

    long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The upper edge, in ms, of the bucket holding the {@code p}-th percentile; NaN when empty. */
    double percentileMs(double p) {
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return Double.NaN;
    }
}
