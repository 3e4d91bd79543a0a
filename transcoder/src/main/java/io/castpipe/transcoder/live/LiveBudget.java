package io.castpipe.transcoder.live;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.transcoder.vod.Rung;

/**
 * The CPU this process's live ladders may use ({@code CASTPIPE_LIVE_CPU_BUDGET}) against what
 * they use, measured from each stream's ffmpeg CPU time. A stream starts on the step it is
 * given only if the load without it plus what that step costs fits the budget, else on the
 * first step below that does (passthrough always does: it copies); a stream climbs only to a
 * step that fits. A step's cost is learned per megapixel per second of source from the streams
 * that ran on it here, from a rough prior until one has. Used by the loop's thread, but for
 * {@link #load} and {@link #cores}.
 */
final class LiveBudget {
    /** A stream's ffmpeg CPU is smoothed over about this long. */
    private static final double SMOOTHING_SECONDS = 5;
    /** A step's cost is learned from a stream on it this long, past its ffmpeg's start and its predecessor's share of the smoothing. */
    private static final Duration STEADY_AFTER = Duration.ofSeconds(15);
    /**
     * Cores per megapixel per second of a 3-rung ladder's source before one was measured here
     * (720p30 is 27.6 Mpx/s; on superfast 0.55 cores measured on a 2-core machine); the
     * configured step scales it by its preset's cost.
     */
    private static final Map<LadderStep, Double> PRIOR = new EnumMap<>(Map.of(LadderStep.CONFIGURED, 0.02,
            LadderStep.FASTEST_PRESET, 0.013, LadderStep.FEWER_RUNGS, 0.005, LadderStep.PASSTHROUGH, 0.001));
    /** x264 presets' cost against superfast's, fastest first (the configured step's prior). */
    private static final double[] PRESET_COST = {0.65, 1, 1.25, 1.6, 2, 2.5, 3.5, 6, 10};

    private record Meter(Map<Long, Long> cpuNanos, long atNanos, double cores, boolean measured) {
    }

    private final double cores;
    private final String configuredPreset;
    /** The configured step's prior: superfast's, scaled by the configured preset's cost. */
    private final double configuredPrior;
    /** Read by the metrics' scrapes too. */
    private final Map<String, Meter> streams = new ConcurrentHashMap<>();
    private final Map<LadderStep, Double> learned = new EnumMap<>(LadderStep.class);

    /** @param cores what the live ladders may use together, in cores */
    LiveBudget(double cores, String configuredPreset) {
        this.cores = cores;
        this.configuredPreset = configuredPreset;
        int preset = CastpipeConfig.X264_PRESETS.indexOf(configuredPreset);
        this.configuredPrior = PRIOR.get(LadderStep.CONFIGURED) * (preset >= 0 ? PRESET_COST[preset] : 1);
    }

    double cores() {
        return cores;
    }

    /** About once a second: each stream's ffmpeg CPU since the last look, and what its step costs here. */
    void measure(Map<String, LiveStreamSession> sessions, long nowNanos) {
        streams.keySet().retainAll(sessions.keySet());
        sessions.forEach((id, session) -> sample(id, session.cpuNanos(), session.step(),
                session.switching() == null && session.running().compareTo(STEADY_AFTER) >= 0,
                session.megapixelsPerSecond(), nowNanos));
    }

    /**
     * One look at a stream: the CPU time (ns) of each of its ffmpeg processes by pid, its step,
     * whether it is steady on that step (one ffmpeg, past its start) and its source's megapixels a second.
     */
    void sample(String stream, Map<Long, Long> cpuNanos, LadderStep step, boolean steady, double megapixelsPerSecond,
                long nowNanos) {
        Meter before = streams.get(stream);
        if (before == null) {
            streams.put(stream, new Meter(Map.copyOf(cpuNanos), nowNanos, 0, false));
            return;
        }
        double seconds = (nowNanos - before.atNanos()) / 1e9;
        if (seconds <= 0) {
            return;
        }
        long used = 0;
        for (Map.Entry<Long, Long> e : cpuNanos.entrySet()) {
            // A process first seen now (a standby) started since the last look: all its CPU time is new.
            used += Math.max(0, e.getValue() - before.cpuNanos().getOrDefault(e.getKey(), 0L));
        }
        double now = used / 1e9 / seconds;
        double weight = 1 - Math.exp(-seconds / SMOOTHING_SECONDS);
        double smoothed = before.measured() ? before.cores() + weight * (now - before.cores()) : now;
        streams.put(stream, new Meter(Map.copyOf(cpuNanos), nowNanos, smoothed, true));
        if (steady && before.measured() && megapixelsPerSecond > 0) {
            learned.merge(step, smoothed / megapixelsPerSecond, (old, fresh) -> old + weight * (fresh - old));
        }
    }

    /** The cores a stream's ffmpeg processes use now; 0 before it was measured. */
    double coresOf(String stream) {
        Meter m = streams.get(stream);
        return m == null ? 0 : m.cores();
    }

    /** The cores every live ladder here uses now. */
    double load() {
        return streams.values().stream().mapToDouble(Meter::cores).sum();
    }

    /** The step {@code stream} can start on: {@code from}, or the first one below it that fits. */
    LadderStep admit(String stream, LadderStep from, List<Rung> rungs, double megapixelsPerSecond) {
        LadderStep at = from;
        while (!fits(stream, at, megapixelsPerSecond)) {
            LadderStep deeper = at.deeper(configuredPreset, rungs);
            if (deeper == at) {
                return at;
            }
            at = deeper;
        }
        return at;
    }

    /** Whether {@code stream} on {@code step} fits beside the others' load. */
    boolean fits(String stream, LadderStep step, double megapixelsPerSecond) {
        return step == LadderStep.PASSTHROUGH
                || load() - coresOf(stream) + cost(step) * megapixelsPerSecond <= cores;
    }

    private double cost(LadderStep step) {
        Double measured = learned.get(step);
        if (measured != null) {
            return measured;
        }
        return step == LadderStep.CONFIGURED ? configuredPrior : PRIOR.get(step);
    }
}
