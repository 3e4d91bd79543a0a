package io.castpipe.transcoder.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.packager.live.LivePlaylist;

/**
 * One rendition passing from a stream's running ffmpeg to a standby one, which was started on
 * another preset from the last stored keyframe and is fed the same input. The standby's output
 * waits here from the start of the running one's open segment on; when the running one closes a
 * segment at a moment where the standby has a keyframe, the rendition is the standby's from
 * there: its playlist goes on after a discontinuity, nothing missing and nothing shown twice.
 * Until then the running one publishes as before, so viewers never wait for a new ffmpeg. A
 * running one too starved to reach its next boundary is stopped instead ({@link #force}): its
 * open segment closes short where its output stopped, and the standby goes on from its first
 * keyframe there, after a gap shorter than a keyframe interval (none when nothing was open).
 */
final class RenditionHandover {
    /** The two encoders may put one moment of the stream on frames a rounding apart: a frame at 30 fps. */
    static final long SAME_MOMENT_MS = 40;
    /** What may wait; past it the oldest keyframe interval goes (the standby is far ahead: a later boundary will do). */
    private static final long MAX_WAITING_BYTES = 16L << 20;
    /** How long the running ffmpeg waits at a boundary for the standby to reach it when shedding. */
    static final java.time.Duration HOLD = java.time.Duration.ofSeconds(10);
    /**
     * How near the boundary a standby must be for the running ffmpeg to wait for it when shedding:
     * one further behind would hold the viewers for seconds (found in CI, 6.5 s); the running
     * one publishes on, and the standby, which is faster, reaches a later boundary first.
     */
    static final java.time.Duration SHED_REACH = java.time.Duration.ofSeconds(3);
    /**
     * When climbing, how long it waits for a standby that has caught up but for its encoder's
     * delay, which a running ffmpeg that copies the source does not have: without the wait such
     * a standby would never reach a boundary first.
     */
    static final java.time.Duration CLIMB_HOLD = java.time.Duration.ofSeconds(1);
    /** Forced, how long the stopped one's rendition waits for the standby's next keyframe (it is forced only when ahead). */
    private static final java.time.Duration FORCED_WAIT = java.time.Duration.ofSeconds(2);

    /** What the standby publishes from: the rendition's playlist, its own init segment, what waited. */
    record Taken(LivePlaylist playlist, long startEpochMs, Fmp4Init init, List<Fragment> fragments) {
    }

    private record Dated(Fragment fragment, long epochMs) {
    }

    private final boolean shedding;
    private final ArrayDeque<Dated> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private Fmp4Init init;
    /** Where the running ffmpeg's last closed segment ends (epoch ms); 0 while none is known. */
    private long closedUntil;
    private Taken taken;
    private boolean cancelled;
    private boolean forced;
    /** The date of the standby's newest fragment (epoch ms). */
    private long newest = Long.MIN_VALUE / 2;

    /** @param shedding whether the running ffmpeg is behind real time (not when trying the configured preset again) */
    RenditionHandover(boolean shedding, long closedUntil) {
        this.shedding = shedding;
        this.closedUntil = closedUntil;
    }

    /**
     * Running ffmpeg's side: a segment ending at {@code endEpochMs} is published; true once the
     * rendition is the standby's. When shedding, a standby short of that moment is waited for, up
     * to {@link #HOLD}: the running ffmpeg is behind and on its way out (it yields the CPU), so its
     * next boundary may be far off, and the rungs of one ffmpeg come out a little apart — a
     * boundary passed by would leave one rendition on the old ffmpeg while the others moved; but
     * only a standby within {@link #SHED_REACH} of it. When climbing, a standby within
     * {@link #CLIMB_HOLD} of the moment is waited for that long.
     */
    synchronized boolean segmentClosed(long endEpochMs, LivePlaylist playlist) throws InterruptedException {
        if (cancelled || taken != null) {
            return taken != null;
        }
        closedUntil = endEpochMs;
        trim();
        if (forced) {
            return takeFirstKeyframe(playlist);
        }
        long hold = shedding ? (newest >= endEpochMs - SHED_REACH.toMillis() ? HOLD.toNanos() : 0)
                : newest >= endEpochMs - CLIMB_HOLD.toMillis() ? CLIMB_HOLD.toNanos() : 0;
        long deadline = System.nanoTime() + hold;
        while (!cancelled && !startsAt(endEpochMs) && newest < endEpochMs - SAME_MOMENT_MS) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(left / 1_000_000 + 1);
        }
        if (cancelled || init == null || !startsAt(endEpochMs)) {
            return false;
        }
        return take(playlist, endEpochMs);
    }

    private boolean take(LivePlaylist playlist, long startEpochMs) {
        List<Fragment> from = new ArrayList<>();
        waiting.forEach(d -> from.add(d.fragment()));
        waiting.clear();
        taken = new Taken(playlist, startEpochMs, init, from);
        return true;
    }

    /**
     * From now on the running ffmpeg is stopped rather than waited for: the segment it closes
     * next (short, where its output stopped) hands the rendition to the standby's first keyframe
     * at or after that segment's end.
     */
    synchronized void force() {
        forced = true;
    }

    /** Forced: what waits starts at the standby's first keyframe from the running one's end on (trimmed so). */
    private boolean takeFirstKeyframe(LivePlaylist playlist) throws InterruptedException {
        long deadline = System.nanoTime() + FORCED_WAIT.toNanos();
        while (!cancelled && waiting.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(left / 1_000_000 + 1);
        }
        if (cancelled || init == null) {
            return false;
        }
        return take(playlist, waiting.peekFirst().epochMs());
    }

    /** Standby's side: its init segment. */
    synchronized void init(Fmp4Init standbyInit) {
        init = standbyInit;
    }

    /**
     * Standby's side: its next fragment, dated on the stream's wall clock. Returns what to
     * publish from (this fragment at its end) once the rendition is the standby's, else null.
     */
    synchronized Taken offer(Fragment fragment, long epochMs) {
        if (cancelled) {
            return null;
        }
        if (taken != null) {
            taken.fragments().add(fragment);
            return taken;
        }
        waiting.addLast(new Dated(fragment, epochMs));
        waitingBytes += fragment.size();
        newest = epochMs;
        trim();
        notifyAll();
        return null;
    }

    /** Whether what waits starts with a keyframe at {@code epochMs}. */
    private boolean startsAt(long epochMs) {
        Dated first = waiting.peekFirst();
        return first != null && Math.abs(first.epochMs() - epochMs) <= SAME_MOMENT_MS;
    }

    /** The standby was given up: the running ffmpeg keeps the rendition. */
    synchronized void cancel() {
        cancelled = true;
        notifyAll();
        waiting.clear();
        waitingBytes = 0;
    }

    /**
     * Whether the standby has a keyframe from the running one's last closed segment on, and
     * output {@code leadMs} past that end: it would go on from there at once if the running one stopped.
     */
    synchronized boolean standbyAhead(long leadMs) {
        return taken != null || (!waiting.isEmpty() && init != null && newest >= closedUntil + leadMs);
    }

    /** Where the two stand, for a log line when the standby is given up. */
    synchronized String describe() {
        Dated first = waiting.peekFirst();
        return "running ffmpeg closed up to " + java.time.Instant.ofEpochMilli(closedUntil)
                + ", standby at " + (newest < 0 ? "nothing yet" : java.time.Instant.ofEpochMilli(newest))
                + (first == null ? "" : ", its keyframe from " + java.time.Instant.ofEpochMilli(first.epochMs()));
    }

    synchronized boolean cancelled() {
        return cancelled;
    }

    synchronized boolean taken() {
        return taken != null;
    }

    /**
     * Keeps what waits starting at a keyframe no earlier than where the running one's open segment
     * starts, within {@link #MAX_WAITING_BYTES}: the only places a handover can happen.
     */
    private void trim() {
        while (!waiting.isEmpty()) {
            Dated first = waiting.peekFirst();
            boolean useful = first.fragment().independent() && first.epochMs() >= closedUntil - SAME_MOMENT_MS
                    && (waitingBytes <= MAX_WAITING_BYTES || !anotherKeyframe());
            if (useful) {
                return;
            }
            waiting.removeFirst();
            waitingBytes -= first.fragment().size();
        }
    }

    private boolean anotherKeyframe() {
        return waiting.stream().skip(1).anyMatch(d -> d.fragment().independent());
    }
}
