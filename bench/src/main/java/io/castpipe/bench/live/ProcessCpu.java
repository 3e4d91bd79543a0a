package io.castpipe.bench.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of processes, read from {@code /proc/{pid}/stat} (Linux): a snapshot of a process and
 * of its descendants, and the cores each used between two snapshots. A descendant that exits
 * between them takes its last moments with it, so ladders replaced mid-window count a little short.
 */
final class ProcessCpu {
    /** Clock ticks per second, what {@code getconf CLK_TCK} answers on Linux. */
    private static final double TICKS = 100.0;

    /** CPU ticks of the process itself and of each descendant, taken at {@code nanos}. */
    record Snapshot(long nanos, long own, Map<Long, Long> descendants) {
    }

    private ProcessCpu() {
    }

    static Snapshot take(long pid) {
        Map<Long, Long> children = new HashMap<>();
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> children.put(d.pid(), ticks(d.pid()))));
        return new Snapshot(System.nanoTime(), ticks(pid), children);
    }

    /** Cores the process itself used between the snapshots. */
    static double ownCores(Snapshot from, Snapshot to) {
        return (to.own() - from.own()) / TICKS / seconds(from, to);
    }

    /** Cores its descendants used between the snapshots, those started meanwhile counted from zero. */
    static double descendantCores(Snapshot from, Snapshot to) {
        long ticks = 0;
        for (Map.Entry<Long, Long> d : to.descendants().entrySet()) {
            ticks += d.getValue() - from.descendants().getOrDefault(d.getKey(), 0L);
        }
        return ticks / TICKS / seconds(from, to);
    }

    /** Cores used between two sums of {@link #ticks} (e.g. of the bench's own publishers), taken beside the snapshots. */
    static double cores(long ticksFrom, long ticksTo, Snapshot from, Snapshot to) {
        return (ticksTo - ticksFrom) / TICKS / seconds(from, to);
    }

    /** User plus system time of one process so far, in clock ticks; 0 once it is gone. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime, fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double seconds(Snapshot from, Snapshot to) {
        return (to.nanos() - from.nanos()) / 1e9;
    }
}
