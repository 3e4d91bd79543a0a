package io.castpipe.transcoder.live;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.castpipe.transcoder.vod.Rung;

/**
 * Decides, per stream, when its ladder has fallen behind real time and must be made cheaper, and
 * when to try the configured one again. A stream falls behind when the media waiting for its
 * ffmpeg (its backlog) is over {@link #BEHIND} and ffmpeg took its input slower than
 * {@link #REAL_TIME} at two looks in a row: a burst ffmpeg works through faster than it comes (a
 * takeover's replay, media a broker held back) is left alone. A stream behind goes one
 * {@link LadderStep} down: a faster preset, then fewer rungs, then none. After {@link #FIRST_CLIMB}
 * without falling behind it tries the step above again; a stream that falls behind soon after
 * such a try waits twice as long before the next, up to {@link #LONGEST_CLIMB}.
 */
final class LoadShedder {
    static final Duration BEHIND = Duration.ofMillis(1500);
    /** Media time ffmpeg takes per second of wall time, below which it does not keep up. */
    static final double REAL_TIME = 0.9;
    /** A backlog this small counts as keeping up. */
    static final Duration KEEPING_UP = Duration.ofMillis(500);
    /** A new ffmpeg probes its input and starts its encoders: its first seconds say nothing of its speed. */
    static final Duration WARM_UP = Duration.ofSeconds(5);
    static final Duration FIRST_CLIMB = Duration.ofSeconds(60);
    /**
     * How long a stream stays on a step before it may go a step further down: each move is a
     * handover viewers may feel, and on a starved machine (found in CI) steps came 9 s apart.
     */
    static final Duration SETTLE_ON_STEP = Duration.ofSeconds(20);
    static final Duration LONGEST_CLIMB = Duration.ofMinutes(16);

    enum Step { NONE, SHED, CLIMB }

    private static final class State {
        long lastLook;
        long lastTaken = -1;
        int slowLooks;
        LadderStep step = LadderStep.CONFIGURED;
        long keepingUpSince;
        /** The step a climb left, while that climb is recent enough to count as failed if the stream falls behind. */
        LadderStep climbedFrom;
        long climbedAt;
        long shedAt = Long.MIN_VALUE / 2;
        Duration climbWait = FIRST_CLIMB;
        /** Whether the step is where the CPU budget started the stream, rather than shed for falling behind. */
        boolean byBudget;
    }

    private final String configuredPreset;
    private final Map<String, State> streams = new HashMap<>();

    LoadShedder(String configuredPreset) {
        this.configuredPreset = configuredPreset;
    }

    /**
     * What to do with {@code stream} now, given its backlog, the stream timestamp (ms) of the
     * media its ffmpeg has taken, how long that ffmpeg has run and the ladder's rungs; called
     * about once a second. It climbs only to a step {@code affordable} says fits. After SHED or
     * CLIMB, {@link #step} is where to go.
     */
    Step look(String stream, Duration backlog, long takenMs, Duration running, List<Rung> rungs, long nowNanos,
              java.util.function.Predicate<LadderStep> affordable) {
        State s = streams.computeIfAbsent(stream, k -> new State());
        if (running.compareTo(WARM_UP) < 0) {
            s.slowLooks = 0;
            s.lastTaken = -1;
            return Step.NONE;
        }
        boolean behind = backlog.compareTo(BEHIND) > 0;
        if (behind && takenMs >= 0 && s.lastTaken >= 0 && nowNanos > s.lastLook) {
            double speed = (takenMs - s.lastTaken) / ((nowNanos - s.lastLook) / 1e6);
            s.slowLooks = speed < REAL_TIME ? s.slowLooks + 1 : 0;
        } else {
            s.slowLooks = 0;
        }
        s.lastLook = nowNanos;
        s.lastTaken = takenMs;
        if (backlog.compareTo(KEEPING_UP) > 0) {
            s.keepingUpSince = nowNanos;
        }
        LadderStep deeper = s.step.deeper(configuredPreset, rungs);
        if (s.slowLooks >= 2 && deeper != s.step && nowNanos - s.shedAt >= SETTLE_ON_STEP.toNanos()) {
            if (s.climbedFrom != null && nowNanos - s.climbedAt < FIRST_CLIMB.toNanos()) {
                s.climbWait = min(s.climbWait.multipliedBy(2), LONGEST_CLIMB); // the try came too soon
            }
            s.climbedFrom = null;
            s.step = deeper;
            s.byBudget = false;
            s.shedAt = nowNanos;
            restarted(s, nowNanos);
            return Step.SHED;
        }
        LadderStep shallower = s.step.shallower(configuredPreset, rungs);
        if (shallower != s.step && nowNanos - s.keepingUpSince >= s.climbWait.toNanos() && affordable.test(shallower)) {
            s.climbedFrom = s.step;
            s.climbedAt = nowNanos;
            s.step = shallower;
            restarted(s, nowNanos);
            return Step.CLIMB;
        }
        return Step.NONE;
    }

    /** The step above could not catch up with the stream: it stays a step down, and waits twice as long to try again. */
    void climbFailed(String stream, long nowNanos) {
        State s = streams.computeIfAbsent(stream, k -> new State());
        if (s.climbedFrom != null) {
            s.step = s.climbedFrom;
        }
        s.climbedFrom = null;
        s.climbWait = min(s.climbWait.multipliedBy(2), LONGEST_CLIMB);
        restarted(s, nowNanos);
    }

    /** A new ffmpeg starts from nothing taken. */
    private static void restarted(State s, long nowNanos) {
        s.keepingUpSince = nowNanos;
        s.slowLooks = 0;
        s.lastTaken = -1;
    }

    /**
     * The stream's ladder starts on {@code step}: it climbs from there. {@code byBudget} when that
     * is below what was asked because the CPU budget is in use.
     */
    void startAt(String stream, LadderStep step, boolean byBudget, long nowNanos) {
        State s = streams.computeIfAbsent(stream, k -> new State());
        if (s.step != step) {
            s.step = step;
            s.climbedFrom = null;
            s.byBudget = byBudget;
        }
        restarted(s, nowNanos);
    }

    /** Whether the stream is below its configured ladder because of the CPU budget rather than for falling behind. */
    boolean heldByBudget(String stream) {
        State s = streams.get(stream);
        return s != null && s.byBudget && s.step != LadderStep.CONFIGURED;
    }

    /** The step a stream's ladder should be on now. */
    LadderStep step(String stream) {
        State s = streams.get(stream);
        return s == null ? LadderStep.CONFIGURED : s.step;
    }

    void forget(String stream) {
        streams.remove(stream);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
