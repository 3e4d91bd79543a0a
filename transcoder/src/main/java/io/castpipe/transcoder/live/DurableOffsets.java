package io.castpipe.transcoder.live;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The offsets of {@code media.live} this member may commit: a stream's records count as done only
 * once the media they carry is stored, as segments of every rung. A member that dies leaves its
 * successor the records from the last point it can start from — the codec configuration ingest
 * sends before every keyframe — at or before the end of what is stored, so a takeover encodes a
 * little twice rather than losing what was consumed but not yet in a segment.
 */
final class DurableOffsets {
    /** Restart points kept per stream while nothing is stored: about an hour of 1 s keyframes. */
    private static final int MAX_RESTART_POINTS = 4096;
    private static final Duration POSITION_LIMIT = Duration.ofSeconds(1);
    /**
     * Stored media ends where a frame starts; the two clocks it is compared across round to the
     * millisecond, so a keyframe this close after the end still starts no gap (less than a frame at 60 fps).
     */
    static final long ROUNDING_MS = 15;

    private final Map<LiveStreamSession, Mark> marks = new ConcurrentHashMap<>();

    /** Where a stream was taken on and how far its output is stored, for one session. */
    static final class Mark {
        private final TopicPartition partition;
        private final ArrayDeque<long[]> restartPoints = new ArrayDeque<>(); // {offset, stream timestamp}
        private final Map<String, Long> storedUntil = new HashMap<>();      // rung -> stream timestamp
        private long safeOffset;
        private int rungs;

        Mark(TopicPartition partition, long firstOffset) {
            this.partition = partition;
            this.safeOffset = firstOffset;
        }

        synchronized void restartPoint(long offset, long timestamp) {
            if (restartPoints.size() == MAX_RESTART_POINTS) {
                restartPoints.pollFirst(); // the older safe offset stays: committing less is safe
            }
            restartPoints.addLast(new long[] {offset, timestamp});
        }

        synchronized void ladder(int rungCount) {
            rungs = rungCount;
            storedUntil.clear();
        }

        /** Every frame of {@code rung} before {@code timestamp} (the stream's, in ms) is in storage. */
        synchronized void stored(String rung, long timestamp) {
            storedUntil.merge(rung, timestamp, Math::max);
        }

        /** The stream timestamp (ms) before which every rung's media is stored; -1 while a rung has stored nothing. */
        synchronized long storedUntil() {
            if (rungs == 0 || storedUntil.size() < rungs) {
                return -1;
            }
            return storedUntil.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        }

        synchronized long safeOffset() {
            long stored = storedUntil();
            if (stored >= 0) {
                while (!restartPoints.isEmpty() && restartPoints.peekFirst()[1] <= stored + ROUNDING_MS) {
                    safeOffset = restartPoints.pollFirst()[0];
                }
            }
            return safeOffset;
        }
    }

    void track(LiveStreamSession session, Mark mark) {
        marks.put(session, mark);
    }

    void restartPoint(LiveStreamSession session, long offset, long timestamp) {
        Mark mark = marks.get(session);
        if (mark != null) {
            mark.restartPoint(offset, timestamp);
        }
    }

    /** The session's output is complete (its stream finished) or will never be (it was closed or abandoned). */
    void release(LiveStreamSession session) {
        marks.remove(session);
    }

    void clear() {
        marks.clear();
    }

    /**
     * For each of {@code partitions}: the consumer's position, or the earliest safe offset of a
     * stream there still being transcoded, whichever is lower. A partition whose position is not
     * known yet is left out.
     */
    Map<TopicPartition, OffsetAndMetadata> offsets(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> lowest = new HashMap<>();
        for (TopicPartition p : partitions) {
            try {
                lowest.put(p, consumer.position(p, POSITION_LIMIT));
            } catch (TimeoutException e) {
                // no position yet: nothing consumed there to commit
            }
        }
        marks.forEach((session, mark) -> {
            if (!session.broken()) {
                lowest.computeIfPresent(mark.partition, (p, offset) -> Math.min(offset, mark.safeOffset()));
            }
        });
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        lowest.forEach((p, offset) -> offsets.put(p, new OffsetAndMetadata(offset)));
        return offsets;
    }
}
