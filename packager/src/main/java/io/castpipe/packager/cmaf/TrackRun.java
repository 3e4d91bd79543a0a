package io.castpipe.packager.cmaf;

/**
 * What one traf of a fragment says of its track: the decode time of its first sample (tfdt), the
 * summed sample durations and the sample count, all in the track's timescale, and whether the
 * first sample is a sync sample.
 */
public record TrackRun(int trackId, long timescale, long decodeTime, long duration, int sampleCount,
                       boolean startsWithSync) {

    public double startSeconds() {
        return (double) decodeTime / timescale;
    }

    public double durationSeconds() {
        return (double) duration / timescale;
    }
}
