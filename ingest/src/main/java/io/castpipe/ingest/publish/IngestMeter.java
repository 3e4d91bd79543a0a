package io.castpipe.ingest.publish;

import java.time.Instant;
import java.util.Arrays;

import io.castpipe.common.events.IngestFigures;
import io.castpipe.common.media.AvcSequenceHeader;

/**
 * Measures what one publisher really sends from the timestamps and sizes of its media tags: bit
 * rates and frame rate over the last {@link #WINDOW_SECONDS} whole seconds of media time, and the
 * gaps between keyframes. It keeps one slot per second of the window, so its memory does not
 * grow with the stream. A timestamp far behind or ahead of the newest (an encoder that restarted
 * its clock) starts the measurement over. Not thread-safe: the connection's event loop feeds and
 * reads it.
 */
public final class IngestMeter {
    public static final int WINDOW_SECONDS = 10;
    private static final long RESTART_BACKWARDS_MS = 5_000;
    private static final long RESTART_FORWARDS_MS = 60_000;
    private static final int SLOTS = WINDOW_SECONDS + 1; // the window and the second in progress

    private final long[] second = new long[SLOTS];
    private final long[] videoBytes = new long[SLOTS];
    private final long[] audioBytes = new long[SLOTS];
    private final int[] videoFrames = new int[SLOTS];
    /** The longest keyframe gap that ended in each second. */
    private final long[] keyframeGapMs = new long[SLOTS];
    private long firstMs = -1;
    private long newestMs = -1;
    private long lastKeyframeMs = -1;
    private long lastKeyframeGapMs = -1;
    private boolean sawVideo;
    private boolean sawAudio;
    private AvcSequenceHeader.PictureSize pictureSize;

    public IngestMeter() {
        Arrays.fill(second, -1);
    }

    /** An AVC sequence header: the picture size comes from its SPS. */
    public void videoConfig(byte[] payload) {
        AvcSequenceHeader.pictureSize(payload).ifPresent(size -> pictureSize = size);
    }

    /** A video frame (not a sequence header) of {@code bytes} at {@code timestampMs}. */
    public void video(long timestampMs, int bytes, boolean keyframe) {
        int slot = slotFor(timestampMs);
        sawVideo = true;
        if (slot < 0) {
            return;
        }
        videoBytes[slot] += bytes;
        videoFrames[slot]++;
        if (keyframe) {
            if (lastKeyframeMs >= 0 && timestampMs > lastKeyframeMs) {
                lastKeyframeGapMs = timestampMs - lastKeyframeMs;
                keyframeGapMs[slot] = Math.max(keyframeGapMs[slot], lastKeyframeGapMs);
            }
            lastKeyframeMs = timestampMs;
        }
    }

    /** An audio frame (not a sequence header) of {@code bytes} at {@code timestampMs}. */
    public void audio(long timestampMs, int bytes) {
        int slot = slotFor(timestampMs);
        sawAudio = true;
        if (slot >= 0) {
            audioBytes[slot] += bytes;
        }
    }

    /** The figures now; null until a whole second of media has arrived. */
    public IngestFigures figures(Instant at) {
        if (newestMs < 0) {
            return null;
        }
        long newestSecond = newestMs / 1000;
        // Whole seconds only: the first one if the media began at its start, never the one in progress.
        long from = Math.max(newestSecond - WINDOW_SECONDS, firstMs / 1000 + (firstMs % 1000 == 0 ? 0 : 1));
        long seconds = newestSecond - from;
        if (seconds < 1) {
            return null;
        }
        long vBytes = 0;
        long aBytes = 0;
        long frames = 0;
        long longestGapMs = Math.max(lastKeyframeGapMs, lastKeyframeMs >= 0 ? newestMs - lastKeyframeMs : -1);
        for (int i = 0; i < SLOTS; i++) {
            if (second[i] >= from && second[i] < newestSecond) {
                vBytes += videoBytes[i];
                aBytes += audioBytes[i];
                frames += videoFrames[i];
            }
            if (second[i] >= from) {
                longestGapMs = Math.max(longestGapMs, keyframeGapMs[i]);
            }
        }
        return new IngestFigures(at, seconds,
                sawVideo ? kbps(vBytes, seconds) : null,
                sawAudio ? kbps(aBytes, seconds) : null,
                sawVideo ? Math.round(frames * 100.0 / seconds) / 100.0 : null,
                lastKeyframeGapMs > 0 ? lastKeyframeGapMs / 1000.0 : null,
                longestGapMs > 0 ? longestGapMs / 1000.0 : null,
                pictureSize == null ? null : pictureSize.width(),
                pictureSize == null ? null : pictureSize.height());
    }

    private static int kbps(long bytes, long seconds) {
        return (int) Math.round(bytes * 8 / 1000.0 / seconds);
    }

    /** The slot of the second a timestamp falls in, moving the window on; -1 for a tag older than the window. */
    private int slotFor(long timestampMs) {
        if (newestMs >= 0 && (timestampMs < newestMs - RESTART_BACKWARDS_MS || timestampMs > newestMs + RESTART_FORWARDS_MS)) {
            restart();
        }
        if (newestMs < 0) {
            firstMs = timestampMs;
            newestMs = timestampMs;
            return claim(timestampMs / 1000);
        }
        long s = timestampMs / 1000;
        long newestSecond = newestMs / 1000;
        if (s > newestSecond) {
            for (long next = Math.max(newestSecond + 1, s - SLOTS + 1); next <= s; next++) {
                claim(next);
            }
        }
        newestMs = Math.max(newestMs, timestampMs);
        int slot = (int) (s % SLOTS);
        return second[slot] == s ? slot : -1;
    }

    private int claim(long s) {
        int slot = (int) (s % SLOTS);
        second[slot] = s;
        videoBytes[slot] = 0;
        audioBytes[slot] = 0;
        videoFrames[slot] = 0;
        keyframeGapMs[slot] = 0;
        return slot;
    }

    private void restart() {
        Arrays.fill(second, -1);
        firstMs = -1;
        newestMs = -1;
        lastKeyframeMs = -1;
        lastKeyframeGapMs = -1;
    }
}
