package io.castpipe.packager.live;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.packager.cmaf.FragmentParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts one rendition's fragments into live segments. Every fragment becomes a part of the open
 * segment; when an independent fragment arrives and the open segment has reached the target
 * duration (less 5 %, for sources whose timestamps jitter), the open segment is finished and the
 * fragment starts the next one. So a segment always begins with an independent fragment, and is
 * as long as the target or up to one keyframe interval longer.
 *
 * <p>Program date time: the wall clock at the first fragment's decode time is the anchor (epoch
 * ms) given at construction; each segment's date is the anchor plus the media time since then.
 * After {@link #discontinuity(OptionalLong)} the next fragment starts a new timeline, anchored at
 * the new wall-clock time given, or where the last segment ended when none is.
 *
 * <p>The segmenter also notices a source that restarted without being told: a fragment that
 * starts more than {@value #MAX_GAP_MS} ms after the last one ended (the encoder skipped time: the
 * dates keep following media time) or before it ended (timestamps went back: the dates continue
 * where the last segment ended) is taken as a discontinuity.
 *
 * <p>Not thread-safe: one thread feeds one rendition.
 */
public final class LiveSegmenter implements FragmentParser.Listener {
    private static final Logger log = LoggerFactory.getLogger(LiveSegmenter.class);
    /** Largest jump forward between fragments that is not a discontinuity. */
    public static final long MAX_GAP_MS = 1000;
    /** Largest step back (timestamp rounding) that is not a discontinuity. */
    private static final double MAX_OVERLAP_SECONDS = 0.05;

    /** Hears what the segmenter produces, in order, on the feeding thread. */
    public interface Listener {
        /** A new init segment: version 0 at the start, a higher one when a restarted source changed it. */
        default void onInit(Fmp4Init init, int version) {
        }

        /** A fragment was added to the open segment: an LL-HLS part. */
        default void onPart(LivePart part) {
        }

        default void onSegment(LiveSegment segment) {
        }

        /** The stream ended; the last segment has been delivered. */
        default void onEnd() {
        }
    }

    private final Duration target;
    private final Listener listener;

    private Fmp4Init init;
    private int initVersion = -1;
    private long nextSequence;
    private long discontinuitySequence;
    private boolean discontinuityPending;
    private long droppedFragments;
    private boolean ended;

    // timeline: wall clock (epoch ms) at media time base
    private long anchorEpochMs;
    private Long timelineBase;       // decode time the anchor belongs to; null until the first fragment
    private long timelineTimescale;
    private Instant lastSegmentEnd;
    private Double lastFragmentEnd;  // seconds, in the current source's media time

    private final List<LivePart> open = new ArrayList<>();

    public LiveSegmenter(Duration target, long anchorEpochMs, Listener listener) {
        if (target.isZero() || target.isNegative()) {
            throw new IllegalArgumentException("target duration must be positive");
        }
        this.target = target;
        this.anchorEpochMs = anchorEpochMs;
        this.listener = listener;
    }

    public Duration target() {
        return target;
    }

    /** Fragments dropped because they came before the first independent one of a timeline. */
    public long droppedFragments() {
        return droppedFragments;
    }

    /**
     * Continues a rendition another worker was packaging: numbering goes on after its last
     * segment, the next segment starts a discontinuity (the source restarted), and this
     * encoder's init segment gets a version of its own so it never overwrites the old one.
     */
    public void resumeAfter(LivePlaylist.Position last) {
        if (init != null || nextSequence > 0) {
            throw new IllegalStateException("resume before the first init segment");
        }
        nextSequence = last.sequence() + 1;
        discontinuitySequence = last.discontinuitySequence();
        initVersion = last.initVersion();
        discontinuityPending = true;
    }

    /** The sequence number the next finished segment will get. */
    public long nextSequence() {
        return nextSequence;
    }

    @Override
    public void onInit(Fmp4Init init) {
        init(init);
    }

    @Override
    public void onFragment(Fragment fragment) {
        fragment(fragment);
    }

    public void init(Fmp4Init newInit) {
        requireOpen();
        if (init != null && init.sameBytes(newInit)) {
            init = newInit;
            return;
        }
        init = newInit;
        initVersion++;
        listener.onInit(newInit, initVersion);
    }

    public void fragment(Fragment f) {
        requireOpen();
        if (init == null) {
            throw new IllegalStateException("a fragment before the init segment");
        }
        if (lastFragmentEnd != null) {
            double gap = f.startSeconds() - lastFragmentEnd;
            if (gap * 1000 > MAX_GAP_MS || gap < -MAX_OVERLAP_SECONDS) {
                log.warn("media time jumps by {} s at {}: taking it as a discontinuity", String.format("%.3f", gap), f);
                boolean keepTimeline = gap > 0;
                startNewTimeline(keepTimeline ? OptionalLong.empty() : OptionalLong.of(-1));
            }
        }
        lastFragmentEnd = (double) f.endTime() / f.timescale();
        if (open.isEmpty() && !f.independent()) {
            droppedFragments++;
            log.debug("dropping {}: a segment must start with an independent fragment", f);
            return;
        }
        if (timelineBase == null) {
            timelineBase = f.decodeTime();
            timelineTimescale = f.timescale();
        }
        if (!open.isEmpty() && f.independent() && reachedTarget()) {
            finishSegment();
        }
        LivePart part = new LivePart(nextSequence, open.size(), f, dateOf(open.isEmpty() ? f : open.get(0).fragment()),
                discontinuityPending, initVersion);
        open.add(part);
        listener.onPart(part);
    }

    /**
     * The source restarted (e.g. another worker took the stream over) and its timestamps start
     * afresh: finishes the open segment, and marks the next one as a discontinuity. A new init
     * segment may follow. {@code anchorEpochMs} is the wall clock of the new source's first
     * timestamp; empty continues the dates where the last segment ended.
     */
    public void discontinuity(OptionalLong anchorEpochMs) {
        requireOpen();
        startNewTimeline(anchorEpochMs.isPresent() ? anchorEpochMs : OptionalLong.of(-1));
        lastFragmentEnd = null;
    }

    /** {@code anchor}: empty keeps the timeline (same media clock), -1 continues from the last segment's end. */
    private void startNewTimeline(OptionalLong anchor) {
        if (!open.isEmpty()) {
            finishSegment();
        }
        if (nextSequence > 0) {
            discontinuityPending = true;
        }
        if (anchor.isEmpty()) {
            return;
        }
        if (anchor.getAsLong() >= 0) {
            this.anchorEpochMs = anchor.getAsLong();
        } else if (lastSegmentEnd != null) {
            this.anchorEpochMs = lastSegmentEnd.toEpochMilli();
        }
        timelineBase = null;
    }

    /**
     * The ffmpeg writing this rendition was stopped and another goes on after it: finishes the
     * open segment short of its target. Returns whether there was one to finish.
     */
    public boolean cut() {
        if (ended || open.isEmpty()) {
            return false;
        }
        finishSegment();
        return true;
    }

    /** Where the last segment finished here ends, empty before one is. */
    public java.util.Optional<Instant> lastSegmentEnd() {
        return java.util.Optional.ofNullable(lastSegmentEnd);
    }

    /** The stream ended: finishes the open segment, then tells the listener. */
    public void end() {
        if (ended) {
            return;
        }
        if (!open.isEmpty()) {
            finishSegment();
        }
        ended = true;
        listener.onEnd();
    }

    private boolean reachedTarget() {
        Fragment first = open.get(0).fragment();
        Fragment last = open.get(open.size() - 1).fragment();
        long ticks = last.endTime() - first.decodeTime();
        long needed = target.toNanos() * 19 / 20; // target less 5 %
        return (double) ticks * 1_000_000_000L / first.timescale() >= needed;
    }

    private void finishSegment() {
        Fragment first = open.get(0).fragment();
        Fragment last = open.get(open.size() - 1).fragment();
        long duration = last.endTime() - first.decodeTime();
        boolean discontinuity = discontinuityPending;
        if (discontinuity) {
            discontinuitySequence++;
            discontinuityPending = false;
        }
        LiveSegment segment = new LiveSegment(nextSequence, first.decodeTime(), duration, first.timescale(),
                dateOf(first), discontinuity, discontinuitySequence, initVersion, open);
        open.clear();
        nextSequence++;
        lastSegmentEnd = segment.endDateTime();
        listener.onSegment(segment);
    }

    private Instant dateOf(Fragment f) {
        // media time since the timeline began, in the timeline's timescale
        double seconds = (double) f.decodeTime() / f.timescale() - (double) timelineBase / timelineTimescale;
        return Instant.ofEpochMilli(anchorEpochMs).plusNanos(Math.round(seconds * 1e9));
    }

    private void requireOpen() {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
    }
}
