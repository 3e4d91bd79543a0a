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
 * Until then the running one publishes as before, so viewers never wait for a new ffmpeg.
 */
final class RenditionHandover {
    /** The two encoders may put one moment of the stream on frames a rounding apart: a frame at 30 fps. */
    static final long SAME_MOMENT_MS = 40;
    /** What may wait; past it the oldest keyframe interval goes (the standby is far ahead: a later boundary will do). */
    private static final long MAX_WAITING_BYTES = 16L << 20;

    /** What the standby publishes from: the rendition's playlist, its own init segment, what waited. */
    record Taken(LivePlaylist playlist, long startEpochMs, Fmp4Init init, List<Fragment> fragments) {
    }

    private record Dated(Fragment fragment, long epochMs) {
    }

    private final ArrayDeque<Dated> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private Fmp4Init init;
    /** Where the running ffmpeg's last closed segment ends (epoch ms); 0 before it closes one. */
    private long closedUntil;
    private Taken taken;
    private boolean cancelled;

    /** Running ffmpeg's side: a segment ending at {@code endEpochMs} is published; true once the rendition is the standby's. */
    synchronized boolean segmentClosed(long endEpochMs, LivePlaylist playlist) {
        if (cancelled || taken != null) {
            return taken != null;
        }
        closedUntil = endEpochMs;
        trim();
        Dated first = waiting.peekFirst();
        if (init == null || first == null || Math.abs(first.epochMs() - endEpochMs) > SAME_MOMENT_MS) {
            return false;
        }
        List<Fragment> from = new ArrayList<>();
        waiting.forEach(d -> from.add(d.fragment()));
        waiting.clear();
        taken = new Taken(playlist, endEpochMs, init, from);
        return true;
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
        trim();
        return null;
    }

    /** The standby was given up: the running ffmpeg keeps the rendition. */
    synchronized void cancel() {
        cancelled = true;
        waiting.clear();
        waitingBytes = 0;
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
