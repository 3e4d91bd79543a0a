package io.castpipe.packager.live;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;

/**
 * A finished live segment: media sequence number {@code sequence}, its parts in order (the first
 * one independent), the wall-clock time of its first sample, and the version of the init segment
 * it needs. {@code discontinuity} is set on the first segment after the source restarted;
 * {@code discontinuitySequence} counts those up to and including this one.
 */
public record LiveSegment(long sequence, long decodeTime, long duration, long timescale, Instant programDateTime,
                          boolean discontinuity, long discontinuitySequence, int initVersion, List<LivePart> parts) {

    public LiveSegment {
        parts = List.copyOf(parts);
    }

    public double durationSeconds() {
        return (double) duration / timescale;
    }

    /** The wall-clock time where the segment's media ends. */
    public Instant endDateTime() {
        return programDateTime.plusNanos(Math.round(durationSeconds() * 1e9));
    }

    public long size() {
        return parts.stream().mapToLong(p -> p.fragment().size()).sum();
    }

    /** The segment object: its fragments one after another. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size());
        parts.forEach(p -> out.writeBytes(p.fragment().bytes()));
        return out.toByteArray();
    }
}
