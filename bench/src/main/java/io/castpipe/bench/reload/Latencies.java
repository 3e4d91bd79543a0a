package io.castpipe.bench.reload;

import java.util.Arrays;

/** How long after each announcement each client saw the part: [announcement][client] in nanoseconds, -1 for never. */
final class Latencies {
    private final long[][] nanos;

    Latencies(int announcements, int clients) {
        nanos = new long[announcements][clients];
        for (long[] row : nanos) {
            Arrays.fill(row, -1);
        }
    }

    void record(int announcement, int client, long latencyNanos) {
        nanos[announcement][client] = latencyNanos;
    }

    boolean has(int announcement, int client) {
        return nanos[announcement][client] >= 0;
    }

    Summary summary() {
        long[] all = Arrays.stream(nanos).flatMapToLong(Arrays::stream).filter(n -> n >= 0).sorted().toArray();
        long missing = (long) nanos.length * nanos[0].length - all.length;
        return new Summary(all, missing);
    }

    record Summary(long[] sorted, long missing) {
        double percentileMs(double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }

        double meanMs() {
            return Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6;
        }
    }
}
