package io.castpipe.common.live;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The viewers of each live stream as the origin nodes report them: the latest count of every
 * node, summed over the nodes whose report is younger than {@link #FRESH} (a node that stopped
 * reporting, having crashed or lost its viewers' traffic, drops out). Kept in memory; bounded to
 * {@link #MAX_STREAMS} streams and {@link #MAX_NODES} nodes per stream.
 */
public final class ViewerCounts {
    /** Three report intervals of the origin. */
    public static final Duration FRESH = Duration.ofSeconds(15);
    static final int MAX_STREAMS = 10_000;
    static final int MAX_NODES = 256;

    private record Report(int viewers, long atNanos) {
    }

    private final Map<String, Map<String, Report>> reportsByStream = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public ViewerCounts() {
        this(System::nanoTime);
    }

    ViewerCounts(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Origin node {@code node} counts {@code viewers} viewers of the stream now. */
    public void reported(String streamId, String node, int viewers) {
        long now = nanoClock.getAsLong();
        if (!reportsByStream.containsKey(streamId) && reportsByStream.size() >= MAX_STREAMS) {
            forgetStale(now);
        }
        reportsByStream.compute(streamId, (id, reports) -> {
            if (reports == null) {
                if (viewers == 0 || reportsByStream.size() >= MAX_STREAMS) {
                    return null;
                }
                reports = new ConcurrentHashMap<>();
            }
            if (viewers == 0) {
                reports.remove(node);
            } else if (reports.containsKey(node) || reports.size() < MAX_NODES) {
                reports.put(node, new Report(viewers, now));
            }
            return reports.isEmpty() ? null : reports;
        });
    }

    public void ended(String streamId) {
        reportsByStream.remove(streamId);
    }

    /** The sum of the fresh reports of the stream; 0 when there are none. */
    public int viewers(String streamId) {
        Map<String, Report> reports = reportsByStream.get(streamId);
        if (reports == null) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        return reports.values().stream().filter(r -> fresh(r, now)).mapToInt(Report::viewers).sum();
    }

    private void forgetStale(long now) {
        for (String stream : reportsByStream.keySet()) {
            reportsByStream.computeIfPresent(stream, (id, reports) -> {
                reports.values().removeIf(r -> !fresh(r, now));
                return reports.isEmpty() ? null : reports;
            });
        }
    }

    private static boolean fresh(Report r, long now) {
        return now - r.atNanos() < FRESH.toNanos();
    }
}
